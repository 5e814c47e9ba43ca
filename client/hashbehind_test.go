package client

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// TestOverlapHash checks that the hash computed beside the writes is the
// SHA-256 of every byte given, in order, when the caller reuses its
// buffer after each wait (as the frame reader does), and differs when a
// byte differs.
func TestOverlapHash(t *testing.T) {
	var whole bytes.Buffer
	o := newOverlapHash()
	buf := make([]byte, 100<<10)
	for i := 0; i < 7; i++ {
		n := len(buf) - i*1000
		for j := range buf[:n] {
			buf[j] = byte(i*31 + j)
		}
		o.start(buf[:n])
		whole.Write(buf[:n]) // the write, alongside
		o.wait()
	}
	want := sha256.Sum256(whole.Bytes())
	if got := o.sum(); !bytes.Equal(got, want[:]) {
		t.Fatalf("sum %x, want %x", got, want)
	}

	o = newOverlapHash()
	b := bytes.Clone(whole.Bytes())
	b[len(b)/2] ^= 1
	o.start(b)
	o.wait()
	if got := o.sum(); bytes.Equal(got, want[:]) {
		t.Fatal("a changed byte gave the same sum")
	}
	newOverlapHash().stop() // ends without hashing anything
}
