package client

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/weblogctl/weblogctl/wire"
)

// Compression modes for WithCompression.
const (
	CompressAuto = "auto" // compress fetch and filter answers when the link is not local (RTT ≥ 0.5 ms)
	CompressZstd = "zstd" // always compress them with zstd
	CompressS2   = "s2"   // always compress them with S2
	CompressNone = "none" // never
)

// slowRTT is the round-trip time from which CompressAuto compresses. On
// loopback (a round trip through sshd of 0.05–0.2 ms) the copy is bound
// by CPU and compressing only adds to it. On a 1 Gbit/s LAN (about 1 ms
// through SSH) it is bound by the link, 125 MB/s, and the fastest zstd
// level compresses several hundred MB/s per core and shrinks access
// logs 5–10 times, even high-entropy ones (random addresses and sizes:
// about 5:1): measured on the bench harness's emulated 1 ms / 1 Gbit/s
// link (bench/NOTES-perf.md). Only a LAN faster than about 2 Gbit/s with
// round trips under 0.5 ms goes uncompressed and might have gained.
const slowRTT = 500 * time.Microsecond

// wanRTT is the round-trip time from which CompressAuto prefers zstd to
// S2: a link that slow is far below what either makes, so the smaller
// answer wins; below it, on a LAN, S2 (620–830 MB per CPU-second on the
// bench's logs, against zstd's ~300) keeps up with the link.
const wanRTT = 5 * time.Millisecond

// maxDecoderWindow bounds the zstd window a server may make us hold.
const maxDecoderWindow = 8 << 20

// WithCompression sets when and how cat and filter answers are compressed
// (PROTOCOL.md §3.3): CompressAuto (the default), CompressZstd, CompressS2
// or CompressNone. Compression applies only to clients made with New.
func WithCompression(mode string) Option {
	return func(c *Client) { c.compress = mode }
}

// ParseCompression checks a compression mode given by a user.
func ParseCompression(mode string) (string, error) {
	switch mode {
	case CompressAuto, CompressZstd, CompressS2, CompressNone:
		return mode, nil
	}
	return "", fmt.Errorf("unknown compression %q (want auto, zstd, s2 or none)", mode)
}

// decideLater stands, in a request's Compress, for "measure the link and
// decide": request resolves it before the request is sent, measuring the
// round trip while the session opens (PROTOCOL.md never sees it).
const decideLater = "auto"

// compressionFor returns what a cat or filter request should carry in
// Compress: the mode's answer, or decideLater when it depends on the link.
func (c *Client) compressionFor() string {
	if c.compress != CompressZstd && c.compress != CompressS2 && c.compress != CompressNone && c.rtt != nil {
		return decideLater
	}
	return c.compression(context.Background())
}

// compression returns the compression to ask for.
func (c *Client) compression(ctx context.Context) string {
	switch c.compress {
	case CompressZstd:
		return wire.CompressZstd
	case CompressS2:
		return wire.CompressS2
	case CompressNone:
		return ""
	}
	rtt := c.linkRTT(ctx)
	mode := ""
	switch {
	case rtt >= wanRTT || rtt >= slowRTT && c.noS2.Load():
		mode = wire.CompressZstd
	case rtt >= slowRTT:
		mode = wire.CompressS2
	}
	if c.linkReport != nil && c.rtt != nil {
		c.reportOnce.Do(func() { c.linkReport(rtt, mode) })
	}
	return mode
}

// linkRTT returns the connection's round-trip time, measured once; 0 when
// it cannot be measured (a pipe).
func (c *Client) linkRTT(ctx context.Context) time.Duration {
	if c.rtt == nil {
		return 0
	}
	c.rttOnce.Do(func() { c.rttValue = c.rtt(ctx) })
	return c.rttValue
}

// s2Magic starts an S2 stream: its stream identifier chunk.
var s2Magic = []byte("\xff\x06\x00\x00S2sTwO")

// maxS2Block bounds the S2 blocks a server may make us hold.
const maxS2Block = 1 << 20

// answerReader returns a reader of the frames in r: through zstd or S2
// when the answer is compressed. A server may answer a request it refused
// with plain frames, so the first bytes decide, not the request.
func answerReader(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if head, _ := br.Peek(len(s2Magic)); bytes.Equal(head, s2Magic) {
		return s2.NewReader(br, s2.ReaderMaxBlockSize(maxS2Block)), func() {}, nil
	}
	magic, _ := br.Peek(4)
	if !bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		return br, func() {}, nil
	}
	zr, err := zstd.NewReader(br,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(maxDecoderWindow))
	if err != nil {
		return nil, nil, err
	}
	return zr, zr.Close, nil
}
