package subsystem

import (
	"io"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/weblogctl/weblogctl/wire"
)

// compressWindow bounds the zstd window, and so the memory of both ends.
const compressWindow = 1 << 20

// newCompressor returns the zstd stream that a --compress=zstd answer is
// written through (PROTOCOL.md §3.3): the fastest level, one goroutine,
// a 1 MiB window, so it costs little CPU and memory per session and still
// shrinks access logs several times over. Not WithLowerEncoderMem: it
// saves about a megabyte and costs a quarter of the speed.
func newCompressor(w io.Writer, kind string) (io.WriteCloser, error) {
	if kind == wire.CompressS2 {
		return newS2(w), nil
	}
	return zstd.NewWriter(w,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(compressWindow))
}

// newS2 returns the S2 stream (the Snappy framing format with S2 blocks)
// that a --compress=s2 answer is written through: one goroutine, 1 MiB
// blocks. On the bench's logs it makes 620–830 MB per CPU-second at
// 3.8–6.8:1, against zstd's fastest level's ~300 MB at 5–9.5:1: the
// choice where the link carries more than zstd can make.
func newS2(w io.Writer) io.WriteCloser {
	return s2.NewWriter(w, s2.WriterConcurrency(1), s2.WriterBlockSize(compressWindow))
}

// newFollowingCompressor is newCompressor for a following answer (stats
// --every, PROTOCOL.md §3.3): flushed after every write, so each frame
// can be decoded as soon as it is sent, while the stream's window still
// holds the earlier frames, so the keys that each table repeats cost
// little. Its answer is small next to the log it summarises, so zstd
// affords a better level there.
func newFollowingCompressor(w io.Writer, kind string) (io.WriteCloser, error) {
	if kind == wire.CompressS2 {
		return flushing{s2.NewWriter(w, s2.WriterConcurrency(1), s2.WriterBlockSize(compressWindow))}, nil
	}
	zw, err := zstd.NewWriter(w,
		zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(compressWindow))
	if err != nil {
		return nil, err
	}
	return flushing{zw}, nil
}

// flushing flushes its stream after every write.
type flushing struct {
	w interface {
		io.WriteCloser
		Flush() error
	}
}

func (f flushing) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil {
		return n, err
	}
	return n, f.w.Flush()
}

func (f flushing) Close() error { return f.w.Close() }
