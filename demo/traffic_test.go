package demo

import (
	"bytes"
	mrand "math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// combined matches one line of the combined log format.
var combined = regexp.MustCompile(`^[0-9a-f.:]+ - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "(GET|HEAD|POST) /\S* HTTP/(1\.1|2\.0)" \d{3} (\d+|-) "[^"]*" "[^"]*"$`)

func TestTraffic(t *testing.T) {
	g := NewTraffic(mrand.New(mrand.NewPCG(1, 2)))
	statuses := map[string]bool{}
	now := time.Date(2025, 10, 10, 13, 55, 36, 0, time.FixedZone("", -7*3600))
	for range 2000 {
		l := g.Line(now)
		if !strings.HasSuffix(l, "\n") || !combined.MatchString(strings.TrimSuffix(l, "\n")) {
			t.Fatalf("not a combined-format line: %q", l)
		}
		if !strings.Contains(l, "[10/Oct/2025:13:55:36 -0700]") {
			t.Fatalf("line without the given time: %q", l)
		}
		statuses[strings.Fields(strings.SplitN(l, `" `, 2)[1])[0]] = true
	}
	for _, s := range []string{"200", "301", "304", "404", "500"} {
		if !statuses[s] {
			t.Errorf("no %s in 2000 lines (got %v)", s, statuses)
		}
	}
	h := g.History(now, 20)
	if n := bytes.Count(h, []byte("\n")); n != 20 {
		t.Errorf("history: %d lines, want 20", n)
	}
}
