package redact

import (
	"os"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/accesslog"
)

func TestNewErrors(t *testing.T) {
	for _, keys := range [][]string{{"IP"}, {"ip", "ip"}, {""}, {"ip", "cookie"}} {
		if r, err := New(keys); err == nil {
			t.Errorf("New(%q) = %v, want an error", keys, r)
		}
	}
	r, err := New(nil)
	if err != nil || r.Active() {
		t.Errorf("New(nil) = %v, %v; want an inactive Redactor", r, err)
	}
	var zero *Redactor
	if got := string(zero.Line(nil, []byte("1.2.3.4 x?y\n"))); got != "1.2.3.4 x?y\n" {
		t.Errorf("nil Redactor changed the line: %q", got)
	}
}

var all = []string{IP, Query, UA, User}

func TestLine(t *testing.T) {
	tests := []struct {
		keys     []string
		in, want string
	}{
		// combined
		{all,
			`203.0.113.7 - frank [10/Oct/2000:13:55:36 -0700] "GET /p?q=secret HTTP/1.1" 200 2326 "http://ref.example/x?a=b" "Mozilla/5.0 (X11; rv:38.0) Firefox/38.0"` + "\n",
			`203.0.113.0 - - [10/Oct/2000:13:55:36 -0700] "GET /p HTTP/1.1" 200 2326 "http://ref.example/x" "-"` + "\n"},
		{[]string{IP},
			`203.0.113.7 - frank [10/Oct/2000:13:55:36 -0700] "GET /p?q=1 HTTP/1.1" 200 2326 "-" "Chrome/120.0.6099.109"` + "\n",
			`203.0.113.0 - frank [10/Oct/2000:13:55:36 -0700] "GET /p?q=1 HTTP/1.1" 200 2326 "-" "Chrome/120.0.6099.109"` + "\n"},
		{[]string{Query},
			`203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET /p?q=a\"b&c=d HTTP/1.1" 200 1 "-" "curl"`,
			`203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET /p HTTP/1.1" 200 1 "-" "curl"`},
		{[]string{UA},
			`203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "evil \"quoted\" agent"` + "\r\n",
			`203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "-"` + "\r\n"},
		{[]string{User},
			`203.0.113.7 ident frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1`,
			`203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1`},
		// common, then combined: the remembered format must not hide the user agent
		{[]string{UA, User},
			"192.0.2.1 - bob [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\n" +
				"192.0.2.1 - bob [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1 \"-\" \"secret-agent\"\n",
			"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\n" +
				"192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1 \"-\" \"-\"\n"},
		// vhost_combined with an IPv6 client
		{all,
			`www.example.com:443 2001:db8:1:2::7 - - [17/May/2015:10:05:03 +0000] "GET /i?x=1 HTTP/1.1" 200 5120 "-" "curl/7.68.0"`,
			`www.example.com:443 2001:db8:1:: - - [17/May/2015:10:05:03 +0000] "GET /i HTTP/1.1" 200 5120 "-" "-"`},
		// nginx main: X-Forwarded-For too
		{[]string{IP},
			`10.0.0.2 - bob [17/May/2015:10:05:04 +0000] "GET /api HTTP/1.1" 401 188 "-" "curl/7.42.0" "198.51.100.7, 10.0.0.1" 0.001`,
			`10.0.0.0 - bob [17/May/2015:10:05:04 +0000] "GET /api HTTP/1.1" 401 188 "-" "curl/7.42.0" "198.51.100.0, 10.0.0.0" 0.001`},
		{[]string{UA},
			`10.0.0.2 - bob [17/May/2015:10:05:04 +0000] "GET /api HTTP/1.1" 401 188 "-" "curl/7.42.0" "198.51.100.7"`,
			`10.0.0.2 - bob [17/May/2015:10:05:04 +0000] "GET /api HTTP/1.1" 401 188 "-" "-" "198.51.100.7"`},
		// a client logged by name
		{[]string{IP},
			`client-203-0-113-7.isp.example - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1`,
			`- - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1`},
		// IPv4-mapped, bracketed and port-suffixed addresses
		{[]string{IP}, `::ffff:203.0.113.7 [2001:db8:aa:bb::1]:443 198.51.100.9:5555 fe80::1%eth0`,
			`::ffff:203.0.113.0 [2001:db8:aa::]:443 198.51.100.0:5555 fe80::%eth0`},
		// not addresses
		{[]string{IP}, `v1.2.3 1.2.3.4.5 2000:13:55:36 256.1.1.1 dead:beef cafe 10:20`,
			`v1.2.3 1.2.3.4.5 2000:13:55:36 256.1.1.1 dead:beef cafe 10:20`},
		{[]string{IP}, `end of sentence 192.0.2.200. and x1.2.3.4y`,
			`end of sentence 192.0.2.0. and x1.2.3.0y`},
		// lines that parse as nothing
		{all, `garbage 203.0.113.7 /a?b=c "q?x\" y" z` + "\n", `garbage 203.0.113.0 /a "q y" z` + "\n"},
		{all, `"\x16\x03\x01" 400 203.0.113.7?` + "\n", `"\x16\x03\x01" 400 203.0.113.0` + "\n"},
		{all, "a?b\x1bc 1.2.3.4\r\n", "a\x1bc 1.2.3.0\r\n"},
		// JSON lines (nginx escape=json, Caddy)
		{all,
			`{"time_local":"17/May/2015:10:05:03 +0000","remote_addr":"203.0.113.9","remote_user":"bob","request":"GET /x?q=1 HTTP/1.1","args":"q=1","status":"404","http_user_agent":"curl/8.0 \"x\"","http_x_forwarded_for":"198.51.100.7"}` + "\n",
			`{"time_local":"17/May/2015:10:05:03 +0000","remote_addr":"203.0.113.0","remote_user":"-","request":"GET /x HTTP/1.1","args":"","status":"404","http_user_agent":"-","http_x_forwarded_for":"198.51.100.0"}` + "\n"},
		{all,
			`{"level":"info","request":{"remote_ip":"127.0.0.1","client_ip":"2001:db8:5:6::9","uri":"/login?next=/x","headers":{"User-Agent":["curl/7.82.0","second"],"Referer":["https://e.example/?s=1"]}},"user_id":4711,"user":{"name":"ann","id":"a1"},"status":200}`,
			`{"level":"info","request":{"remote_ip":"127.0.0.0","client_ip":"2001:db8:5::","uri":"/login","headers":{"User-Agent":["-","-"],"Referer":["https://e.example/"]}},"user_id":"-","user":{"name":"-","id":"-"},"status":200}`},
		{[]string{IP}, `{"remote_host":"host.example","ip":"192.0.2.1"}`, `{"remote_host":"-","ip":"192.0.2.0"}`},
		// broken JSON: what can be found is still redacted
		{all, `{"user":"ann","ua":"x","user_agent":"secret`, `{"user":"-","ua":"x","user_agent":"secret`},
		// empty and dash fields stay
		{all, `192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "" ""`,
			`192.0.2.0 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "" ""`},
		{all, "", ""},
		{all, "\n", "\n"},
	}
	for _, tt := range tests {
		r, err := New(tt.keys)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for _, line := range strings.SplitAfter(tt.in, "\n") {
			got = r.Line(got, []byte(line))
		}
		if string(got) != tt.want {
			t.Errorf("New(%q).Line(%q)\n got %q\nwant %q", tt.keys, tt.in, got, tt.want)
		}
	}
}

func TestLineAppends(t *testing.T) {
	r, _ := New([]string{IP})
	got := r.Line([]byte("prefix:"), []byte("1.2.3.4\n"))
	if string(got) != "prefix:1.2.3.0\n" {
		t.Errorf("Line did not append to dst: %q", got)
	}
}

func TestLineAllocs(t *testing.T) {
	lines := [][]byte{
		[]byte(`203.0.113.7 - frank [10/Oct/2000:13:55:36 -0700] "GET /p?q=secret HTTP/1.1" 200 2326 "http://ref.example/?a=b" "Mozilla/5.0 (X11; rv:38.0) Firefox/38.0"` + "\n"),
		[]byte(`www.example.com:443 2001:db8::1 - - [17/May/2015:10:05:03 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "curl/7.68.0"` + "\n"),
		[]byte(`{"remote_addr":"2001:db8::9","remote_user":"bob","request":"GET /?a=1 HTTP/1.1","status":200,"http_user_agent":"Mozilla/5.0"}` + "\n"),
		[]byte("not a log line 1.2.3.4 /x?y\n"),
	}
	r, _ := New(all)
	dst := make([]byte, 0, 4096)
	for _, l := range lines {
		dst = r.Line(dst[:0], l) // warm up
	}
	for _, l := range lines {
		if n := testing.AllocsPerRun(100, func() { dst = r.Line(dst[:0], l) }); n != 0 {
			t.Errorf("Line(%q) allocates %v times", l, n)
		}
	}
}

func ExampleRedactor_Line() {
	r, err := New([]string{"ip", "query", "ua"})
	if err != nil {
		panic(err)
	}
	line := []byte(`203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET /search?q=secret HTTP/1.1" 200 512 "-" "Mozilla/5.0"` + "\n")
	os.Stdout.Write(r.Line(nil, line))
	// Output:
	// 203.0.113.0 - - [10/Oct/2000:13:55:36 -0700] "GET /search HTTP/1.1" 200 512 "-" "-"
}

func TestUseFormat(t *testing.T) {
	f, err := accesslog.ParseFormat(`"%{User-Agent}i" %u %h %t "%r" %>s`)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := New([]string{UA, User})
	line := []byte(`"secret agent" bob 192.0.2.1 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200` + "\n")
	if got := string(r.Line(nil, line)); got != string(line) {
		t.Errorf("without the format: %q", got) // nothing found, nothing changed
	}
	r.UseFormat(f)
	if got, want := string(r.Line(nil, line)), `"-" - 192.0.2.1 [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200`+"\n"; got != want {
		t.Errorf("with the format: %q, want %q", got, want)
	}
	// Lines of a built-in format are still found.
	if got, want := string(r.Line(nil, []byte(`192.0.2.1 - bob [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "ua"`))),
		`192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-"`; got != want {
		t.Errorf("combined line: %q, want %q", got, want)
	}
	r.UseFormat(accesslog.Format{})
	if got := string(r.Line(nil, line)); got != string(line) {
		t.Errorf("after UseFormat(zero): %q", got)
	}
}
