package accesslog

import (
	"errors"
	"testing"
)

func TestAutoParser(t *testing.T) {
	a := NewAutoParser(Format{})
	var rec Record
	if err := a.Parse([]byte("garbage\n"), &rec); err == nil {
		t.Fatal("garbage parsed before detection")
	}
	line := []byte(`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /x HTTP/1.1" 404 12 "-" "curl/8"` + "\n")
	if err := a.Parse(line, &rec); err != nil || rec.Status != 404 || a.Format().IsZero() {
		t.Fatalf("Parse(combined) = %v, status %d, format %v", err, rec.Status, a.Format())
	}
	b := NewAutoParser(Format{})
	for range maxDetectLines {
		b.Parse([]byte("x"), &rec)
	}
	if err := b.Parse(line, &rec); !errors.Is(err, ErrNoFormat) || !b.Format().IsZero() {
		t.Fatalf("after %d unparseable lines detection should have stopped: %v, %v", maxDetectLines, err, b.Format())
	}
}
