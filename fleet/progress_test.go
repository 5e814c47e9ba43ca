package fleet

import (
	"bytes"
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
	p.end()
	if buf.String() != "\r\x1b[K" {
		t.Fatalf("end wrote %q, want the line cleared", buf.String())
	}
	for n, want := range map[int64]string{12: "12 B", 2048: "2.0 KiB", 5 << 30: "5.0 GiB"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}
