package subsystem

import (
	"bytes"
	"testing"
	"time"
)

// recorder keeps each write it receives.
type recorder struct{ writes [][]byte }

func (r *recorder) Write(p []byte) (int, error) {
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func TestBatchWriter(t *testing.T) {
	var r recorder
	b := newBatchWriter(&r)
	var want []byte
	small := bytes.Repeat([]byte("x"), 300)
	for range 100 {
		b.Write(small)
		want = append(want, small...)
	}
	if len(r.writes) != 0 {
		t.Fatalf("%d writes before the batch is full", len(r.writes))
	}
	big := bytes.Repeat([]byte("y"), batchSize)
	b.Write(big)
	want = append(want, big...)
	if len(r.writes) != 2 || len(r.writes[0]) != 300*100 || len(r.writes[1]) != batchSize {
		t.Fatalf("a large write after small ones: writes of %v bytes, want [30000 %d]", lens(r.writes), batchSize)
	}
	b.Write(small)
	b.since = time.Now().Add(-batchDelay) // the oldest byte has waited long enough
	b.Write(small)
	if len(r.writes) != 3 || len(r.writes[2]) != 600 {
		t.Fatalf("after batchDelay: writes of %v bytes", lens(r.writes))
	}
	b.Write(small)
	want = append(want, bytes.Repeat(small, 3)...)
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := bytes.Join(r.writes, nil); !bytes.Equal(got, want) {
		t.Fatalf("bytes changed on the way: %d written, %d received", len(want), len(got))
	}
	n := len(r.writes)
	if b.Flush(); len(r.writes) != n {
		t.Fatal("an empty flush wrote")
	}
}

func lens(ws [][]byte) []int {
	var n []int
	for _, w := range ws {
		n = append(n, len(w))
	}
	return n
}
