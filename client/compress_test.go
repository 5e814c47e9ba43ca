package client

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

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

// TestFastestProbes: a link clearly fast or clearly slow is probed three
// times; near the compression threshold, until one answer is clearly
// fast, or twelve times; a failed probe is a large round trip.
func TestFastestProbes(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	for _, tt := range []struct {
		samples []time.Duration
		want    time.Duration
		probes  int
	}{
		{[]time.Duration{ms(0.1), ms(0.3), ms(0.2)}, ms(0.1), 3},
		{[]time.Duration{ms(30), ms(31), ms(29)}, ms(29), 3},
		// Loopback under load: slow answers, then a fast one.
		{[]time.Duration{ms(0.6), ms(0.7), ms(0.55), ms(0.9), ms(0.2)}, ms(0.2), 5},
		// A 1 ms LAN stays above the threshold every time.
		{[]time.Duration{ms(1.2), ms(1.1), ms(1.3), ms(1.2), ms(1.1), ms(1.15), ms(1.2), ms(1.1), ms(1.3), ms(1.2), ms(1.1), ms(1.05), ms(0.1)}, ms(1.05), 12},
	} {
		n := 0
		got := fastest(func() (time.Duration, error) {
			n++
			return tt.samples[n-1], nil
		})
		if got != tt.want || n != tt.probes {
			t.Errorf("samples %v: fastest %v after %d probes, want %v after %d", tt.samples, got, n, tt.want, tt.probes)
		}
	}
	if got := fastest(func() (time.Duration, error) { return 0, errors.New("closed") }); got != time.Hour {
		t.Errorf("failed probe: %v, want an hour", got)
	}
}
