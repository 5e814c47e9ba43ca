package fleet

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	if p := startProgress(&buf, "web1"); p != nil {
		t.Fatal("progress drawn on a non-terminal")
	}
	p := &progress{w: &buf, label: "web1", start: time.Now().Add(-time.Second), stop: make(chan struct{})}
	p.add(3 << 20)
	p.add(512 << 10)
	p.draw()
	if got := buf.String(); !strings.HasPrefix(got, "\r\x1b[Kweb1  3.5 MiB  ") || !strings.HasSuffix(got, "/s") {
		t.Fatalf("progress line %q", got)
	}
	buf.Reset()
	p.end(errors.New("interrupted"))
	if buf.String() != "\r\x1b[K" {
		t.Fatalf("end after a failure wrote %q, want the line cleared", buf.String())
	}
	for n, want := range map[int64]string{12: "12 B", 2048: "2.0 KiB", 5 << 30: "5.0 GiB"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestProgressSize: once the size is known the line has the percentage
// and the time left; a resumed copy counts from where it resumed; the
// summary after success says how much, how fast, and the resume.
func TestProgressSize(t *testing.T) {
	p := &progress{label: "web1"}
	p.started(0, 10<<20)
	p.add(2 << 20)
	if got, want := p.line(2*time.Second), "web1  2.0 MiB of 10.0 MiB (20%)  1.0 MiB/s  ETA 8s"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
	// resumed at 6 MiB of 10: 1 MiB more in 1 s leaves 3 MiB
	p = &progress{label: "web1"}
	p.started(6<<20, 10<<20)
	p.add(1 << 20)
	if got, want := p.line(time.Second), "web1  7.0 MiB of 10.0 MiB (70%)  1.0 MiB/s  ETA 3s"; got != want {
		t.Errorf("resumed line = %q, want %q", got, want)
	}
	if got, want := p.summary(time.Second), "web1: 1.0 MiB in 1s (1.0 MiB/s), resumed at byte 6291456"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	var buf bytes.Buffer
	p = &progress{w: &buf, label: "web1", start: time.Now(), stop: make(chan struct{})}
	p.end(nil)
	if !strings.HasPrefix(buf.String(), "\r\x1b[Kweb1: 0 B in ") || !strings.HasSuffix(buf.String(), "\n") {
		t.Errorf("end after success wrote %q, want the summary line", buf.String())
	}
}
