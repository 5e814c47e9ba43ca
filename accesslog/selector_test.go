package accesslog

import (
	"errors"
	"testing"
	"time"
)

// selectorLines mixes formats' lines, a garbage line and the --until-path
// request.
var selectorLines = []string{
	`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 404 12 "-" "curl/8"` + "\n",
	`192.0.2.7 - - [17/May/2015:10:05:04 +0000] "GET /404 HTTP/1.1" 200 404 "https://x.example/" "curl/8"` + "\n",
	"garbage 404 here\n",
	`198.51.100.2 - - [17/May/2015:10:05:05 +0000] "POST /kill?now=1 HTTP/1.1" 500 0 "-" "-"` + "\n",
	`192.0.2.1 - - [17/May/2015:10:05:06 +0000] "GET /b HTTP/1.1" 200 1 "-" "-"` + "\n",
}

// TestSelector: a Selector selects what parsing each line and calling
// Filter.Match selects, stops at the --until-path request, and parses for
// Record when its filter did not need to.
func TestSelector(t *testing.T) {
	now := time.Date(2015, 5, 17, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		spec FilterSpec
		keep string // one letter per line: k kept, - dropped
		stop int    // index of the line that stops, -1 none
	}{
		{FilterSpec{}, "kkkkk", -1},
		{FilterSpec{Status: "404"}, "k----", -1},
		{FilterSpec{Status: "4xx,500"}, "k--k-", -1},
		{FilterSpec{Grep: "404"}, "kkk--", -1},
		{FilterSpec{NotGrep: "404"}, "---kk", -1},
		{FilterSpec{HasReferrer: true}, "-k---", -1},
		{FilterSpec{IP: "192.0.2.0/24"}, "kk--k", -1},
		{FilterSpec{UntilPath: "/kill"}, "kkkkk", 3}, // it stops, it does not select
		{FilterSpec{Status: "200", UntilPath: "/kill"}, "-k--k", 3},
	}
	for _, tt := range tests {
		s, err := NewSelector(tt.spec, Format{}, now)
		if err != nil {
			t.Fatalf("NewSelector(%+v): %v", tt.spec, err)
		}
		got, stop := "", -1
		for i, l := range selectorLines {
			keep, st := s.Select([]byte(l))
			if keep {
				got += "k"
			} else {
				got += "-"
			}
			if st && stop < 0 {
				stop = i
			}
		}
		if got != tt.keep || stop != tt.stop {
			t.Errorf("%+v: selected %s, stop at %d; want %s, %d", tt.spec, got, stop, tt.keep, tt.stop)
		}
	}

	s, err := NewSelector(FilterSpec{Grep: "GET"}, Format{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if keep, _ := s.Select([]byte(selectorLines[0])); !keep {
		t.Fatal("--grep GET dropped a GET line")
	}
	rec, perr := s.Record()
	if perr != nil || rec.Status != 404 || string(rec.Path) != "/a" {
		t.Errorf("Record after a --grep selection: status %d path %q, %v; want 404 /a", rec.Status, rec.Path, perr)
	}
	if s.Format().Name() != NameCombined {
		t.Errorf("Format after a combined line: %q", s.Format().Name())
	}

	var none *Selector
	if keep, stop := none.Select([]byte("x")); !keep || stop {
		t.Error("a nil Selector must select every line and never stop")
	}
	if _, err := NewSelector(FilterSpec{Status: "abc"}, Format{}, now); err == nil {
		t.Error("NewSelector accepted --status abc")
	} else if fe := (*FilterError)(nil); !errors.As(err, &fe) || fe.Option != "status" {
		t.Errorf("NewSelector(--status abc): %v, want a FilterError for status", err)
	}
}

// FuzzSelector: for any line, a Selector keeps exactly what parsing the
// line and calling Filter.Match keep (MayMatch only saves work), and stops
// exactly where Filter.Stops says.
func FuzzSelector(fz *testing.F) {
	for _, l := range selectorLines {
		fz.Add(l, "4xx", "/kill")
	}
	fz.Fuzz(func(t *testing.T, line, status, until string) {
		now := time.Now()
		for _, format := range []Format{Combined(), Common(), JSON()} {
			spec := FilterSpec{Status: status, UntilPath: until}
			s, err := NewSelector(spec, format, now)
			if err != nil {
				return
			}
			f, err := Compile(spec, now)
			if err != nil {
				t.Fatalf("NewSelector accepted %+v, Compile refuses it: %v", spec, err)
			}
			var rec Record
			perr := NewParser(format).Parse([]byte(line), &rec)
			keep, stop := s.Select([]byte(line))
			if want := f.Match([]byte(line), &rec, perr); keep != want {
				t.Fatalf("%s %+v: Select(%q) keeps %v, Match says %v", format.Name(), spec, line, keep, want)
			}
			if want := f.Stops(&rec, perr); stop != want {
				t.Fatalf("%s %+v: Select(%q) stops %v, Stops says %v", format.Name(), spec, line, stop, want)
			}
		}
	})
}
