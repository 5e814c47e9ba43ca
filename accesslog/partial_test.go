package accesslog

import (
	"testing"
	"time"
)

// Lines of every built-in text format, for cutting short.
var fullLines = []struct {
	format Format
	line   string
}{
	{Common(), commonLine},
	{Combined(), combinedLine},
	{VHostCombined(), `www.example.com:443 2001:db8::1 - - [17/May/2015:10:05:03 +0000] "GET /index.html?q=1 HTTP/1.1" 200 5120 "https://www.example.com/" "curl/7.68.0"`},
	{NginxMain(), `203.0.113.9 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 612 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:38.0) Gecko/20100101 Firefox/38.0" "198.51.100.7, 10.0.0.1"`},
}

// TestParsePartial: a line cut short keeps the fields before the cut.
func TestParsePartial(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		line   string
		want   view
		lost   fieldSet
	}{
		{"combined cut in the user agent", Combined(), pre + `"GET /a?b HTTP/1.0" 200 2326 "http://r.example/" "Mozilla/5.0 (X11`,
			view{Addr: "127.0.0.1", User: "frank", Time: "2000-10-10T13:55:36-07:00", Request: "GET /a?b HTTP/1.0", Method: "GET", Path: "/a?b", Proto: "HTTP/1.0", Status: 200, Bytes: 2326, Ref: "http://r.example/"},
			lostUA},
		{"combined cut in the referrer", Combined(), pre + `"GET / HTTP/1.0" 404 12 "http://r.exa`,
			view{Addr: "127.0.0.1", User: "frank", Time: "2000-10-10T13:55:36-07:00", Request: "GET / HTTP/1.0", Method: "GET", Path: "/", Proto: "HTTP/1.0", Status: 404, Bytes: 12},
			lostReferrer | lostUA},
		// A number at the cut may have lost digits: it is not kept.
		{"combined cut in the size (or a common line)", Combined(), commonLine,
			view{Addr: "127.0.0.1", User: "frank", Time: "2000-10-10T13:55:36-07:00", Request: "GET /apache_pb.gif HTTP/1.0", Method: "GET", Path: "/apache_pb.gif", Proto: "HTTP/1.0", Status: 200, Bytes: -1},
			lostReferrer | lostUA},
		{"combined cut in the status", Combined(), pre + `"GET / HTTP/1.0" 20`,
			view{Addr: "127.0.0.1", User: "frank", Time: "2000-10-10T13:55:36-07:00", Request: "GET / HTTP/1.0", Method: "GET", Path: "/", Proto: "HTTP/1.0", Bytes: -1},
			lostStatus | lostReferrer | lostUA},
		{"common cut in the request", Common(), pre + `"GET /very/long/pa`,
			view{Addr: "127.0.0.1", User: "frank", Time: "2000-10-10T13:55:36-07:00", Bytes: -1},
			lostMethod | lostPath | lostStatus},
		{"common cut right after the request", Common(), pre + `"GET / HTTP/1.0"`,
			view{Addr: "127.0.0.1", User: "frank", Time: "2000-10-10T13:55:36-07:00", Request: "GET / HTTP/1.0", Method: "GET", Path: "/", Proto: "HTTP/1.0", Bytes: -1},
			lostStatus},
		{"combined cut right after the user agent (a combined line for nginx_main)", NginxMain(), combinedLine,
			view{Addr: "127.0.0.1", User: "frank", Time: "2000-10-10T13:55:36-07:00", Request: "GET /apache_pb.gif HTTP/1.0", Method: "GET", Path: "/apache_pb.gif", Proto: "HTTP/1.0", Status: 200, Bytes: 2326, Ref: "http://www.example.com/start.html", UA: "Mozilla/4.08 [en] (Win98; I ;Nav)"},
			0},
		{"vhost_combined cut in the user agent", VHostCombined(), `www.example.com:443 2001:db8::1 - - [17/May/2015:10:05:03 +0000] "GET /x HTTP/1.1" 200 5120 "-" "curl/7.6`,
			view{VHost: "www.example.com", Port: "443", Addr: "2001:db8::1", Time: "2015-05-17T10:05:03Z", Request: "GET /x HTTP/1.1", Method: "GET", Path: "/x", Proto: "HTTP/1.1", Status: 200, Bytes: 5120},
			lostUA},
		{"nginx_main cut in X-Forwarded-For", NginxMain(), `203.0.113.9 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 502 612 "-" "curl/8" "198.51.`,
			view{Addr: "203.0.113.9", Time: "2015-05-17T10:05:03Z", Request: "GET / HTTP/1.1", Method: "GET", Path: "/", Proto: "HTTP/1.1", Status: 502, Bytes: 612, UA: "curl/8"},
			0},
	}
	for _, tt := range tests {
		p := NewParser(tt.format)
		var rec Record
		line := []byte(tt.line + "\n")
		if err := p.Parse(line, &rec); err != nil {
			t.Errorf("%s: Parse(%q) error: %v", tt.name, tt.line, err)
			continue
		}
		tt.want = withNil(tt.want)
		if tt.want.Dur == 0 {
			tt.want.Dur = -1
		}
		if got := viewOf(&rec); !rec.Partial || got != tt.want || rec.lost != tt.lost {
			t.Errorf("%s: Parse(%q) =\n%+v partial %v lost %b, want\n%+v partial lost %b", tt.name, tt.line, got, rec.Partial, rec.lost, tt.want, tt.lost)
		}
		checkSubslices(t, line, &rec)
	}
}

// withNil writes "<nil>" for the empty strings of v, as viewOf does for
// nil fields.
func withNil(v view) view {
	for _, f := range []*string{&v.VHost, &v.Port, &v.Addr, &v.Ident, &v.User, &v.Request, &v.Method, &v.Path, &v.Proto, &v.Ref, &v.UA, &v.XFF, &v.Rest} {
		if *f == "" {
			*f = "<nil>"
		}
	}
	return v
}

// TestParseEveryCut cuts a line of each built-in text format at every
// byte: the result is an error (nothing useful before the cut), a record
// (the cut fell inside the last field) or a partial record whose fields
// are those of the whole line, or missing; a field the record lost is
// missing.
func TestParseEveryCut(t *testing.T) {
	for _, fl := range fullLines {
		p := NewParser(fl.format)
		var full Record
		if err := p.Parse([]byte(fl.line), &full); err != nil || full.Partial {
			t.Fatalf("%s: Parse(%q): %v, partial %v", fl.format.Name(), fl.line, err, full.Partial)
		}
		fv := viewOf(&full)
		partials := 0
		for n := 1; n < len(fl.line); n++ {
			cut := []byte(fl.line[:n])
			var rec Record
			err := p.Parse(cut, &rec)
			checkRecord(t, cut, &rec, err)
			if err != nil || !rec.Partial {
				continue
			}
			partials++
			if rec.Time.IsZero() {
				t.Errorf("%s: Parse(%q): partial record without its time", fl.format.Name(), cut)
			}
			v := viewOf(&rec)
			for _, f := range []struct {
				name      string
				got, want string
				lost      bool
			}{
				{"addr", v.Addr, fv.Addr, rec.lost&lostAddr != 0},
				{"method", v.Method, fv.Method, rec.lost&lostMethod != 0},
				{"path", v.Path, fv.Path, rec.lost&lostPath != 0},
				{"referrer", v.Ref, fv.Ref, rec.lost&lostReferrer != 0},
				{"user agent", v.UA, fv.UA, rec.lost&lostUA != 0},
				{"vhost", v.VHost, fv.VHost, false},
				{"user", v.User, fv.User, false},
			} {
				if f.got != "<nil>" && f.got != f.want || f.lost && f.got != "<nil>" {
					t.Errorf("%s: Parse(%q): %s %q (lost %v), whole line has %q", fl.format.Name(), cut, f.name, f.got, f.lost, f.want)
				}
			}
			if rec.Status != 0 && rec.Status != full.Status || rec.lost&lostStatus != 0 && rec.Status != 0 {
				t.Errorf("%s: Parse(%q): status %d, whole line has %d", fl.format.Name(), cut, rec.Status, full.Status)
			}
		}
		if partials < 10 {
			t.Errorf("%s: only %d cuts give partial records", fl.format.Name(), partials)
		}
	}
}

// TestFilterPartial: a filter on a field a partial record has works as
// on a whole record; a filter on a field it lost selects nothing, negated
// or not.
func TestFilterPartial(t *testing.T) {
	cutUA := []byte(pre + `"GET /cut?x=1 HTTP/1.0" 200 2326 "http://r.example/" "Mozil` + "\n")
	cutRef := []byte(pre + `"GET /cut HTTP/1.0" 200 2326 "http://r.ex` + "\n")
	p := NewParser(Combined())
	tests := []struct {
		args []string
		line []byte
		want bool
	}{
		{[]string{"--status=200"}, cutUA, true},
		{[]string{"--status=404"}, cutUA, false},
		{[]string{"--not-status=404"}, cutUA, true},
		{[]string{"--path=^/cut"}, cutUA, true},
		{[]string{"--method=GET", "--since=2000-10-10"}, cutUA, true},
		{[]string{"--ip=127.0.0.0/8"}, cutUA, true},
		{[]string{"--referrer=r\\.example"}, cutUA, true},
		{[]string{"--has-referrer"}, cutUA, true},
		{[]string{"--grep=Mozil"}, cutUA, true},
		{[]string{"--ua=Mozil"}, cutUA, false},
		{[]string{"--not-ua=curl"}, cutUA, false},
		{[]string{"--status=200", "--ua=."}, cutUA, false},
		{[]string{"--has-referrer"}, cutRef, false},
		{[]string{"--not-referrer=x"}, cutRef, false},
		{[]string{"--status=200"}, cutRef, true},
	}
	for _, tt := range tests {
		spec, err := ParseFilterArgs(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Compile(spec, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		var rec Record
		perr := p.Parse(tt.line, &rec)
		if perr != nil || !rec.Partial {
			t.Fatalf("Parse(%q): %v, partial %v", tt.line, perr, rec.Partial)
		}
		if got := f.Match(tt.line, &rec, perr); got != tt.want {
			t.Errorf("%v: Match(%q) = %v, want %v", tt.args, tt.line, got, tt.want)
		}
		if got := f.Match(tt.line, &rec, perr); got && !f.MayMatch(tt.line) {
			t.Errorf("%v: MayMatch(%q) rejects a line Match selects", tt.args, tt.line)
		}
	}
}
