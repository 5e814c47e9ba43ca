package subsystem

import (
	"io"
	"testing"
	"time"
)

// chanWriter passes each write on a channel.
type chanWriter chan string

func (c chanWriter) Write(p []byte) (int, error) { c <- string(p); return len(p), nil }

// TestNoticeIdle: with nothing to read, StreamUsage appears once; what
// arrives later is still read whole.
func TestNoticeIdle(t *testing.T) {
	pr, pw := io.Pipe()
	notes := make(chanWriter, 2)
	r, stop := NoticeIdle(pr, notes, 10*time.Millisecond)
	defer stop()
	got := make(chan string, 1)
	go func() {
		b := make([]byte, 64)
		n, _ := r.Read(b)
		got <- string(b[:n])
	}()
	select {
	case s := <-notes:
		if s != StreamUsage {
			t.Fatalf("notice %q, want %q", s, StreamUsage)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notice while idle")
	}
	pw.Write([]byte("ls\n"))
	if s := <-got; s != "ls\n" {
		t.Errorf("read %q after the notice", s)
	}
	if len(notes) != 0 {
		t.Errorf("more than one notice: %q", <-notes)
	}
}
