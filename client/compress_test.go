package client

import (
	"bytes"
	"io"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/weblogctl/weblogctl/wire"
)

// TestAnswerReader: plain, zstd and S2 answers all read back as the same
// frames; the first bytes decide.
func TestAnswerReader(t *testing.T) {
	var plain bytes.Buffer
	fw := wire.NewFrameWriter(&plain)
	fw.WriteJSON(wire.FrameOpen, wire.Open{Log: "access", ID: "1:2:0:", Reason: "start"})
	fw.WriteData(0, bytes.Repeat([]byte("192.0.2.1 - - x\n"), 10000))
	fw.WriteJSON(wire.FrameEnd, wire.End{Bytes: 160000})
	var z, s bytes.Buffer
	zw, _ := zstd.NewWriter(&z)
	zw.Write(plain.Bytes())
	zw.Close()
	sw := s2.NewWriter(&s)
	sw.Write(plain.Bytes())
	sw.Close()
	for name, in := range map[string][]byte{"plain": plain.Bytes(), "zstd": z.Bytes(), "s2": s.Bytes()} {
		r, release, err := answerReader(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := io.ReadAll(r)
		release()
		if err != nil || !bytes.Equal(got, plain.Bytes()) {
			t.Errorf("%s: read %d bytes (%v), want the %d plain ones", name, len(got), err, plain.Len())
		}
	}
	// An S2 stream whose block claims more than maxS2Block is refused.
	var big bytes.Buffer
	bw := s2.NewWriter(&big, s2.WriterBlockSize(4<<20))
	bw.Write(bytes.Repeat([]byte{'x'}, 3<<20))
	bw.Close()
	r, _, _ := answerReader(bytes.NewReader(big.Bytes()))
	if _, err := io.ReadAll(r); err == nil {
		t.Error("an S2 block over maxS2Block was accepted")
	}
}
