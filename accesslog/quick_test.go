package accesslog

import (
	"testing"
	"time"
)

// TestMayMatch: MayMatch never rejects a line Match selects, and rejects
// lines whose status is elsewhere.
func TestMayMatch(t *testing.T) {
	lines := []string{
		`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /x HTTP/1.1" 404 12 "-" "curl/8"` + "\n",
		`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /404 HTTP/1.1" 200 404 "-" "curl/8"`,
		`example.com:443 192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 503 -`,
		`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "\x16\x03\x01" 400 0 "-" "-"`,
		`garbage 404 here`,
		`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1234`,
	}
	for _, status := range []string{"404", "4xx", "500-599", "200,301"} {
		f, err := Compile(FilterSpec{Status: status}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			var rec Record
			p := NewParser(Detect([][]byte{[]byte(l)}))
			perr := p.Parse([]byte(l), &rec)
			if f.Match([]byte(l), &rec, perr) && !f.MayMatch([]byte(l)) {
				t.Errorf("--status %s: MayMatch rejected %q, which Match selects", status, l)
			}
		}
	}
	f, _ := Compile(FilterSpec{Status: "404"}, time.Now())
	if f.MayMatch([]byte(lines[5])) {
		t.Errorf("MayMatch passed a 200 line for --status 404")
	}
	g, _ := Compile(FilterSpec{Grep: "x"}, time.Now())
	if !g.MayMatch([]byte("anything")) {
		t.Error("MayMatch rejected a line for a filter without --status")
	}
	if !Combined().TextFormat() || JSON().TextFormat() {
		t.Error("TextFormat: combined must be a text format, JSON not")
	}
}

// FuzzMayMatch: MayMatch is a necessary condition of Match for the
// built-in text formats, for whole lines and for the partial records of
// lines cut short (at cut, and at every byte of a built-in line).
func FuzzMayMatch(fz *testing.F) {
	fz.Add(`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /x HTTP/1.1" 404 12 "-" "curl/8"`, "4xx", uint16(70))
	for _, fl := range fullLines {
		fz.Add(fl.line, "200", uint16(len(fl.line)-3))
		fz.Add(fl.line, "2xx,404", uint16(len(fl.line)/2))
	}
	fz.Fuzz(func(t *testing.T, line, status string, cut uint16) {
		f, err := Compile(FilterSpec{Status: status}, time.Now())
		if err != nil {
			return
		}
		lines := []string{line}
		if int(cut) < len(line) {
			lines = append(lines, line[:cut])
		}
		for _, l := range lines {
			for _, format := range []Format{Common(), Combined(), VHostCombined(), NginxMain()} {
				var rec Record
				perr := NewParser(format).Parse([]byte(l), &rec)
				if f.Match([]byte(l), &rec, perr) && !f.MayMatch([]byte(l)) {
					t.Fatalf("%s, --status %s: MayMatch rejected %q (partial %v)", format.Name(), status, l, rec.Partial)
				}
			}
		}
	})
}

func BenchmarkMayMatch(b *testing.B) {
	line := []byte(`203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"` + "\n")
	f, _ := Compile(FilterSpec{Status: "404"}, time.Now())
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if f.MayMatch(line) {
			b.Fatal("matched")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
