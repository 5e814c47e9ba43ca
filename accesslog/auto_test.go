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

// TestAutoParserCutFirst: a log whose first line is cut short is not
// locked to the format that line fits: the next whole line decides.
func TestAutoParserCutFirst(t *testing.T) {
	a := NewAutoParser(Format{})
	var rec Record
	cut := pre + `"GET /cut HTTP/1.0" 200 512 "http://r.example/" "Mozil`
	if err := a.Parse([]byte(cut), &rec); err != nil || !rec.Partial || rec.Status != 200 || string(rec.Referrer) != "http://r.example/" {
		t.Fatalf("Parse(%q) = %+v, partial %v, %v", cut, viewOf(&rec), rec.Partial, err)
	}
	if err := a.Parse([]byte(combinedLine), &rec); err != nil || rec.Partial || rec.Rest != nil || a.Format().Name() != NameCombined {
		t.Fatalf("Parse(%q) = %+v, partial %v, %v; format %s", combinedLine, viewOf(&rec), rec.Partial, err, a.Format().Name())
	}
	if err := a.Parse([]byte(commonLine), &rec); err != nil || !rec.Partial || a.Format().Name() != NameCombined {
		t.Errorf("after a whole combined line, a common line is a partial record: %v, partial %v, format %s", err, rec.Partial, a.Format().Name())
	}
}
