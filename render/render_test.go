package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
)

const (
	hit200 = `203.0.113.9 - alice [17/May/2015:10:05:03 +0000] "GET /publish/whatsnew.html HTTP/1.1" 200 8000 "http://gnosis.cx/publish/" "Mozilla/5.0 \"Quoted\""` + "\n"
	hit404 = `198.51.100.23 - - [17/May/2015:10:05:04 +0000] "GET /favicon.ico HTTP/1.1" 404 - "-" "curl/7.42.0"` + "\n"
	noRef  = `203.0.113.9 - - [17/May/2015:10:05:05 +0000] "GET /a HTTP/1.1" 200 1 "" "x"` + "\n"
	tls    = `192.0.2.140 - - [17/May/2015:10:20:00 +0000] "\x16\x03\x01\x00\xa5" 400 226 "-" "-"`
	bad    = "not a log line\n"
	evil   = "203.0.113.53 - - [17/May/2015:10:33:00 +0000] \"GET /\x1b[31mred HTTP/1.1\" 200 10 \"http://evil.example/\x1b]0;pwned\x07\" \"\x1b[2J\rclear\"\n"
)

// render runs the renderer called name over lines, parsing them as
// combined, and returns what it wrote.
func render(t *testing.T, name string, opts Options, lines ...string) string {
	t.Helper()
	var out bytes.Buffer
	r, err := New(name, &out, opts)
	if err != nil {
		t.Fatal(err)
	}
	p := accesslog.NewParser(accesslog.Combined())
	for _, l := range lines {
		var rec accesslog.Record
		perr := p.Parse([]byte(l), &rec)
		if err := r.Render([]byte(l), &rec, perr); err != nil {
			t.Fatal(err)
		}
	}
	return out.String()
}

func TestRaw(t *testing.T) {
	tests := []struct {
		opts  Options
		lines []string
		want  string
	}{
		{Options{}, []string{hit200, bad}, hit200 + bad},
		{Options{}, []string{"no newline"}, "no newline"},
		{Options{}, []string{"crlf\r\n"}, "crlf\r\n"},
		{Options{}, []string{evil}, evil},
		{Options{Label: "web1"}, []string{bad, "x"}, "web1: " + bad + "web1: x"},
		{Options{Terminal: true}, []string{evil}, `203.0.113.53 - - [17/May/2015:10:33:00 +0000] "GET /\x1b[31mred HTTP/1.1" 200 10 "http://evil.example/\x1b]0;pwned\x07" "\x1b[2J\x0dclear"` + "\n"},
		{Options{Terminal: true, Label: "\x1bweb"}, []string{"a\xffb"}, `\x1bweb: a\xffb`},
	}
	for _, tt := range tests {
		if got := render(t, "raw", tt.opts, tt.lines...); got != tt.want {
			t.Errorf("raw %+v of %q = %q, want %q", tt.opts, tt.lines, got, tt.want)
		}
	}
}

func TestPretty(t *testing.T) {
	tests := []struct {
		opts Options
		line string
		want string
	}{
		{Options{}, hit200, "2015-05-17 10:05:03 +0000 200 GET       7.8K /publish/whatsnew.html  <- gnosis.cx/publish/\n"},
		{Options{}, hit404, "2015-05-17 10:05:04 +0000 404 GET          - /favicon.ico\n"},
		{Options{}, noRef, "2015-05-17 10:05:05 +0000 200 GET          1 /a\n"},
		{Options{}, tls, `2015-05-17 10:20:00 +0000 400 -          226 \x16\x03\x01\x00\xa5` + "\n"},
		{Options{}, bad, "not a log line\n"},
		{Options{Label: "web1"}, hit404, "web1: 2015-05-17 10:05:04 +0000 404 GET          - /favicon.ico\n"},
		{Options{Color: true}, hit404, "\x1b[2m2015-05-17 10:05:04 +0000\x1b[0m \x1b[33m404\x1b[0m GET          - /favicon.ico\n"},
		{Options{}, `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "https://example.org/` + strings.Repeat("é", 40) + `" "-"`,
			"2015-05-17 10:05:03 +0000 200 GET          1 /  <- example.org/" + strings.Repeat("é", 18) + "...\n"},
	}
	for _, tt := range tests {
		if got := render(t, "pretty", tt.opts, tt.line); got != tt.want {
			t.Errorf("pretty %+v of %q =\n%q, want\n%q", tt.opts, tt.line, got, tt.want)
		}
	}
}

// TestPrettyNeutralisesEscapes checks that no control byte from a log
// line reaches pretty output, coloured or not.
func TestPrettyNeutralisesEscapes(t *testing.T) {
	lines := []string{
		evil,
		"\x1b[31mnot parsed\r\x07\x08\x7f\n",
		"\xc2\x9b31m C1 CSI and \xe2\x80\xae bidi override \x9b raw byte\n",
		`1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /` + "\x1b[31m" + ` HTTP/1.1" 200 1 "http://` + "\xc2\x9b" + `x/" "-"`,
	}
	for _, color := range []bool{false, true} {
		got := render(t, "pretty", Options{Color: color, Label: "h\x1b"}, lines...)
		if color {
			for _, sgr := range []string{sgrReset, sgrDim, sgrGreen, sgrCyan, sgrYellow, sgrRed, sgrMagenta} {
				got = strings.ReplaceAll(got, sgr, "")
			}
		}
		for i, c := range []byte(got) {
			if c < 0x20 && c != '\n' || c == 0x7f {
				t.Errorf("pretty (color %v) output has byte %#x at %d: %q", color, c, i, got)
				break
			}
		}
		for _, bad := range []string{"\xc2\x9b", "\xe2\x80\xae", "\r"} {
			if strings.Contains(got, bad) {
				t.Errorf("pretty (color %v) output contains %q: %q", color, bad, got)
			}
		}
		if !strings.Contains(got, `\x1b[31m`) || !strings.Contains(got, `\u009b`) || !strings.Contains(got, `\u202e`) || !strings.Contains(got, `\x9b`) {
			t.Errorf("pretty (color %v) does not show neutralised bytes visibly: %q", color, got)
		}
		if n := strings.Count(got, "\n"); n != len(lines) {
			t.Errorf("pretty (color %v) wrote %d lines for %d: %q", color, n, len(lines), got)
		}
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		opts Options
		line string
		want string
	}{
		{Options{}, hit200, `{"remote_addr":"203.0.113.9","user":"alice","time":"2015-05-17T10:05:03Z","method":"GET","path":"/publish/whatsnew.html","protocol":"HTTP/1.1","status":200,"bytes":8000,"referrer":"http://gnosis.cx/publish/","user_agent":"Mozilla/5.0 \"Quoted\""}`},
		{Options{}, hit404, `{"remote_addr":"198.51.100.23","user":null,"time":"2015-05-17T10:05:04Z","method":"GET","path":"/favicon.ico","protocol":"HTTP/1.1","status":404,"bytes":null,"referrer":null,"user_agent":"curl/7.42.0"}`},
		{Options{}, noRef, `{"remote_addr":"203.0.113.9","user":null,"time":"2015-05-17T10:05:05Z","method":"GET","path":"/a","protocol":"HTTP/1.1","status":200,"bytes":1,"referrer":"","user_agent":"x"}`},
		{Options{}, tls, `{"remote_addr":"192.0.2.140","user":null,"time":"2015-05-17T10:20:00Z","method":null,"path":null,"protocol":null,"status":400,"bytes":226,"referrer":null,"user_agent":null,"request":"\u0016\u0003\u0001\u0000\ufffd"}`},
		{Options{Label: "web1"}, bad, `{"host":"web1","raw":"not a log line","error":"accesslog: byte 6: user: no \" [\" after it"}`},
		{Options{}, `203.0.113.9 - - [17/May/2015:10:05:03 +0000] "GET /cut HTTP/1.1" 200 12 "-" "Mozil` + "\n", `{"remote_addr":"203.0.113.9","user":null,"time":"2015-05-17T10:05:03Z","method":"GET","path":"/cut","protocol":"HTTP/1.1","status":200,"bytes":12,"referrer":null,"user_agent":null,"partial":true}`},
		{Options{}, "caf\xe9 \x1b\n", `{"raw":"caf\ufffd \u001b","error":"accesslog: byte 5: ident: no \" \" after it","raw_base64":"Y2Fm6SAb"}`},
	}
	for _, tt := range tests {
		got := render(t, "json", tt.opts, tt.line)
		if got != tt.want+"\n" {
			t.Errorf("json %+v of %q =\n%s, want\n%s", tt.opts, tt.line, got, tt.want)
		}
	}
}

func TestJSONVHost(t *testing.T) {
	line := []byte(`www.example.com:443 2001:db8::1 - - [17/May/2015:10:05:03 -0700] "GET / HTTP/1.1" 200 5 "-" "-" 0.25`)
	f, err := accesslog.ParseFormat(`%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %T`)
	if err != nil {
		t.Fatal(err)
	}
	var rec accesslog.Record
	perr := accesslog.NewParser(f).Parse(line, &rec)
	var out bytes.Buffer
	r, _ := New("json", &out, Options{})
	if err := r.Render(line, &rec, perr); err != nil {
		t.Fatal(err)
	}
	want := `{"remote_addr":"2001:db8::1","user":null,"time":"2015-05-17T10:05:03-07:00","method":"GET","path":"/","protocol":"HTTP/1.1","status":200,"bytes":5,"referrer":null,"user_agent":null,"vhost":"www.example.com","port":"443","duration":0.25}` + "\n"
	if out.String() != want {
		t.Errorf("json of %q =\n%s, want\n%s", line, out.String(), want)
	}
}

// TestJSONValid renders every fixture line of package accesslog as JSON and
// checks each output line with encoding/json.
func TestJSONValid(t *testing.T) {
	for _, name := range []string{"combined.log", "vhost_combined.log", "nginx_main.log", "nginx_json.log", "caddy.log", "common.log"} {
		data, err := os.ReadFile("../accesslog/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		lines = lines[:len(lines)-1]
		p := accesslog.NewParser(accesslog.Detect(lines))
		var out bytes.Buffer
		r, _ := New("json", &out, Options{Label: "web\xff1"})
		for _, l := range lines {
			var rec accesslog.Record
			perr := p.Parse(l, &rec)
			if err := r.Render(l, &rec, perr); err != nil {
				t.Fatal(err)
			}
		}
		outLines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(outLines) != len(lines) {
			t.Errorf("%s: %d JSON lines for %d log lines", name, len(outLines), len(lines))
		}
		for i, ol := range outLines {
			var m map[string]any
			if err := json.Unmarshal([]byte(ol), &m); err != nil {
				t.Errorf("%s line %d: invalid JSON %q: %v", name, i+1, ol, err)
				continue
			}
			if _, ok := m["raw"]; ok {
				continue
			}
			if s, ok := m["status"].(float64); !ok || s < 100 {
				t.Errorf("%s line %d: status %v, want a number", name, i+1, m["status"])
			}
			if ts, ok := m["time"].(string); ok {
				if _, err := time.Parse(time.RFC3339, ts); err != nil {
					t.Errorf("%s line %d: time %q is not RFC 3339", name, i+1, ts)
				}
			}
			if name == "vhost_combined.log" && m["vhost"] == nil {
				t.Errorf("%s line %d: no vhost", name, i+1)
			}
		}
	}
}

func TestReferrers(t *testing.T) {
	tests := []struct {
		opts  Options
		lines []string
		want  string
	}{
		{Options{}, []string{hit200, hit404, noRef, tls, bad}, "http://gnosis.cx/publish/ --> /publish/whatsnew.html\n"},
		{Options{Label: "web1"}, []string{hit200}, "web1: http://gnosis.cx/publish/ --> /publish/whatsnew.html\n"},
		{Options{}, []string{evil}, "http://evil.example/\x1b]0;pwned\x07 --> /\x1b[31mred\n"},
		{Options{Terminal: true}, []string{evil}, `http://evil.example/\x1b]0;pwned\x07 --> /\x1b[31mred` + "\n"},
	}
	for _, tt := range tests {
		if got := render(t, "referrers", tt.opts, tt.lines...); got != tt.want {
			t.Errorf("referrers %+v of %q = %q, want %q", tt.opts, tt.lines, got, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	for _, n := range Names() {
		if _, err := New(n, &bytes.Buffer{}, Options{}); err != nil {
			t.Errorf("New(%q): %v", n, err)
		}
	}
	if _, err := New("xml", &bytes.Buffer{}, Options{}); err == nil {
		t.Error(`New("xml") succeeded, want error`)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	for _, n := range Names() {
		r, _ := New(n, failWriter{}, Options{})
		p := accesslog.NewParser(accesslog.Combined())
		var rec accesslog.Record
		perr := p.Parse([]byte(hit200), &rec)
		if err := r.Render([]byte(hit200), &rec, perr); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: Render to a failing writer = %v, want the write error", n, err)
		}
	}
}

func TestRenderAllocs(t *testing.T) {
	for _, n := range Names() {
		var out bytes.Buffer
		r, _ := New(n, &out, Options{Color: true, Label: "web1"})
		p := accesslog.NewParser(accesslog.Combined())
		line := []byte(hit200)
		var rec accesslog.Record
		perr := p.Parse(line, &rec)
		allocs := testing.AllocsPerRun(100, func() {
			out.Reset()
			if err := r.Render(line, &rec, perr); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: Render allocates %v times per line, want 0", n, allocs)
		}
	}
}

func Example() {
	p := accesslog.NewParser(accesslog.Combined())
	r, err := New("referrers", os.Stdout, Options{})
	if err != nil {
		panic(err)
	}
	for _, line := range []string{
		`192.0.2.7 - - [17/May/2015:10:05:03 +0000] "GET /publish/whatsnew.html HTTP/1.1" 200 8000 "http://gnosis.cx/publish/" "Mozilla/5.0"`,
		`192.0.2.7 - - [17/May/2015:10:05:04 +0000] "GET /home/hugo.gif HTTP/1.1" 200 900 "-" "Mozilla/5.0"`,
	} {
		var rec accesslog.Record
		err := p.Parse([]byte(line), &rec)
		if err := r.Render([]byte(line), &rec, err); err != nil {
			fmt.Println(err)
		}
	}
	// Output: http://gnosis.cx/publish/ --> /publish/whatsnew.html
}
