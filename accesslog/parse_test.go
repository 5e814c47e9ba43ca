package accesslog

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// view is a Record with its byte fields as strings, nil as "<nil>", for
// comparing in tests.
type view struct {
	VHost, Port, Addr, Ident, User string
	Time                           string
	Request, Method, Path, Proto   string
	Status                         int
	Bytes                          int64
	Ref, UA, XFF                   string
	Dur                            time.Duration
	Rest                           string
}

func s(b []byte) string {
	if b == nil {
		return "<nil>"
	}
	return string(b)
}

func viewOf(r *Record) view {
	t := ""
	if !r.Time.IsZero() {
		t = r.Time.Format(time.RFC3339Nano)
	}
	return view{
		VHost: s(r.VHost), Port: s(r.Port), Addr: s(r.RemoteAddr), Ident: s(r.Ident), User: s(r.User),
		Time:    t,
		Request: s(r.Request), Method: s(r.Method), Path: s(r.Path), Proto: s(r.Protocol),
		Status: r.Status, Bytes: r.Bytes,
		Ref: s(r.Referrer), UA: s(r.UserAgent), XFF: s(r.ForwardedFor),
		Dur:  r.Duration,
		Rest: s(r.Rest),
	}
}

// base is what most test lines hold; tests override the fields that differ.
func base() view {
	return view{
		VHost: "<nil>", Port: "<nil>", Addr: "127.0.0.1", Ident: "<nil>", User: "frank",
		Time:    "2000-10-10T13:55:36-07:00",
		Request: "GET /apache_pb.gif HTTP/1.0", Method: "GET", Path: "/apache_pb.gif", Proto: "HTTP/1.0",
		Status: 200, Bytes: 2326,
		Ref: "http://www.example.com/start.html", UA: "Mozilla/4.08 [en] (Win98; I ;Nav)", XFF: "<nil>",
		Dur: -1, Rest: "<nil>",
	}
}

func with(f func(*view)) view {
	v := base()
	f(&v)
	return v
}

const (
	combinedLine = `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`
	commonLine   = `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`
	pre          = `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] `
)

func TestParse(t *testing.T) {
	longUA := strings.Repeat("A", 9000)
	tests := []struct {
		name   string
		format Format
		line   string
		want   view
	}{
		{"combined", Combined(), combinedLine, base()},
		{"combined LF", Combined(), combinedLine + "\n", base()},
		{"combined CRLF", Combined(), combinedLine + "\r\n", base()},
		{"common", Common(), commonLine, with(func(v *view) { v.Ref, v.UA = "<nil>", "<nil>" })},
		{"debian %O zero bytes", Combined(), pre + `"GET / HTTP/1.1" 304 0 "-" "-"`, with(func(v *view) {
			v.Request, v.Path, v.Proto, v.Status, v.Bytes, v.Ref, v.UA = "GET / HTTP/1.1", "/", "HTTP/1.1", 304, 0, "<nil>", "<nil>"
		})},
		{"dash bytes", Combined(), pre + `"HEAD / HTTP/1.1" 304 - "-" "-"`, with(func(v *view) {
			v.Request, v.Method, v.Path, v.Proto, v.Status, v.Bytes, v.Ref, v.UA = "HEAD / HTTP/1.1", "HEAD", "/", "HTTP/1.1", 304, -1, "<nil>", "<nil>"
		})},
		{"empty vs absent", Combined(), pre + `"GET /apache_pb.gif HTTP/1.0" 200 2326 "" "-"`, with(func(v *view) { v.Ref, v.UA = "", "<nil>" })},
		{"escaped quotes in UA", Combined(), pre + `"GET /apache_pb.gif HTTP/1.0" 200 2326 "-" "Mozilla \"quoted\" \\ end"`,
			with(func(v *view) { v.Ref, v.UA = "<nil>", `Mozilla \"quoted\" \\ end` })},
		{"escaped backslash before closing quote", Combined(), pre + `"GET /apache_pb.gif HTTP/1.0" 200 2326 "-" "ends in \\"`,
			with(func(v *view) { v.Ref, v.UA = "<nil>", `ends in \\` })},
		{"escaped quote in request", Combined(), pre + `"GET /a\"b HTTP/1.0" 200 2326 "-" "x"`,
			with(func(v *view) { v.Request, v.Path, v.Ref, v.UA = `GET /a\"b HTTP/1.0`, `/a\"b`, "<nil>", "x" })},
		{"unescaped quote in UA", Combined(), pre + `"GET /apache_pb.gif HTTP/1.0" 200 2326 "-" "say "hi" there"`,
			with(func(v *view) { v.Ref, v.UA = "<nil>", `say "hi" there` })},
		{"HTTP/0.9", Combined(), pre + `"GET /" 200 2326 "-" "-"`, with(func(v *view) {
			v.Request, v.Path, v.Proto, v.Ref, v.UA = "GET /", "/", "<nil>", "<nil>", "<nil>"
		})},
		{"TLS handshake on plain port", Combined(), pre + `"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" 400 0 "-" "-"`, with(func(v *view) {
			v.Request, v.Method, v.Path, v.Proto = `\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03`, "<nil>", "<nil>", "<nil>"
			v.Status, v.Bytes, v.Ref, v.UA = 400, 0, "<nil>", "<nil>"
		})},
		{"request dash (408)", Combined(), pre + `"-" 408 - "-" "-"`, with(func(v *view) {
			v.Request, v.Method, v.Path, v.Proto, v.Status, v.Bytes, v.Ref, v.UA = "<nil>", "<nil>", "<nil>", "<nil>", 408, -1, "<nil>", "<nil>"
		})},
		{"empty request", Combined(), pre + `"" 400 0 "-" "-"`, with(func(v *view) {
			v.Request, v.Method, v.Path, v.Proto, v.Status, v.Bytes, v.Ref, v.UA = "", "<nil>", "<nil>", "<nil>", 400, 0, "<nil>", "<nil>"
		})},
		{"space in target", Combined(), pre + `"GET /a b HTTP/1.1" 404 0 "-" "-"`, with(func(v *view) {
			v.Request, v.Path, v.Proto, v.Status, v.Bytes, v.Ref, v.UA = "GET /a b HTTP/1.1", "/a b", "HTTP/1.1", 404, 0, "<nil>", "<nil>"
		})},
		{"user with space", Combined(), `127.0.0.1 - john smith [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
			with(func(v *view) { v.User = "john smith" })},
		{"invalid UTF-8", Combined(), pre + "\"GET /\xff\xfe HTTP/1.0\" 200 2326 \"-\" \"\xc3\x28\"", with(func(v *view) {
			v.Request, v.Path, v.Ref, v.UA = "GET /\xff\xfe HTTP/1.0", "/\xff\xfe", "<nil>", "\xc3\x28"
		})},
		{"over 8 KiB", Combined(), pre + `"GET /apache_pb.gif HTTP/1.0" 200 2326 "-" "` + longUA + `"`,
			with(func(v *view) { v.Ref, v.UA = "<nil>", longUA })},
		{"trailing fields kept", Combined(), combinedLine + ` 1234 5678`, with(func(v *view) { v.Rest = "1234 5678" })},
		{"IPv6 client", Combined(), `2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
			with(func(v *view) { v.Addr, v.User = "2001:db8::1", "<nil>" })},
		{"vhost_combined", VHostCombined(), `www.example.com:443 2001:db8::1 - - [17/May/2015:10:05:03 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "curl/7.68.0"`,
			view{VHost: "www.example.com", Port: "443", Addr: "2001:db8::1", Ident: "<nil>", User: "<nil>",
				Time: "2015-05-17T10:05:03Z", Request: "GET /index.html HTTP/1.1", Method: "GET", Path: "/index.html", Proto: "HTTP/1.1",
				Status: 200, Bytes: 5120, Ref: "<nil>", UA: "curl/7.68.0", XFF: "<nil>", Dur: -1, Rest: "<nil>"}},
		{"nginx main", NginxMain(), `203.0.113.9 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 304 0 "-" "Mozilla/5.0" "198.51.100.7, 10.0.0.1"`,
			view{VHost: "<nil>", Port: "<nil>", Addr: "203.0.113.9", Ident: "<nil>", User: "<nil>",
				Time: "2015-05-17T10:05:03Z", Request: "GET / HTTP/1.1", Method: "GET", Path: "/", Proto: "HTTP/1.1",
				Status: 304, Bytes: 0, Ref: "<nil>", UA: "Mozilla/5.0", XFF: "198.51.100.7, 10.0.0.1", Dur: -1, Rest: "<nil>"}},
		{"nginx main + request_time", NginxMain(), `203.0.113.9 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 304 0 "-" "Mozilla/5.0" "-" 0.005`,
			view{VHost: "<nil>", Port: "<nil>", Addr: "203.0.113.9", Ident: "<nil>", User: "<nil>",
				Time: "2015-05-17T10:05:03Z", Request: "GET / HTTP/1.1", Method: "GET", Path: "/", Proto: "HTTP/1.1",
				Status: 304, Bytes: 0, Ref: "<nil>", UA: "Mozilla/5.0", XFF: "<nil>", Dur: -1, Rest: "0.005"}},
		{"nginx json", JSON(), `{"time_local":"17/May/2015:10:05:03 +0000","remote_addr":"203.0.113.9","remote_user":"","request":"GET /x?q=1 HTTP/1.1","status": "404","body_bytes_sent":"153","request_time":"0.012","http_referrer":"","http_user_agent":"curl/8.0 \"x\""}`,
			view{VHost: "<nil>", Port: "<nil>", Addr: "203.0.113.9", Ident: "<nil>", User: "<nil>",
				Time: "2015-05-17T10:05:03Z", Request: "GET /x?q=1 HTTP/1.1", Method: "GET", Path: "/x?q=1", Proto: "HTTP/1.1",
				Status: 404, Bytes: 153, Ref: "<nil>", UA: `curl/8.0 \"x\"`, XFF: "<nil>", Dur: 12 * time.Millisecond, Rest: "<nil>"}},
		{"caddy", JSON(), `{"level":"info","ts":1646861401.5241024,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"41342","client_ip":"192.0.2.4","proto":"HTTP/2.0","method":"GET","host":"localhost","uri":"/","headers":{"User-Agent":["curl/7.82.0"],"Accept":["*/*"],"Referer":["https://example.org/"]},"tls":{"resumed":false,"version":772}},"bytes_read":0,"user_id":"","duration":0.000929675,"size":10900,"status":200,"resp_headers":{"Server":["Caddy"],"Content-Type":["text/html; charset=utf-8"]}}`,
			view{VHost: "localhost", Port: "<nil>", Addr: "192.0.2.4", Ident: "<nil>", User: "<nil>",
				Time: "2022-03-09T21:30:01.5241024Z", Request: "<nil>", Method: "GET", Path: "/", Proto: "HTTP/2.0",
				Status: 200, Bytes: 10900, Ref: "https://example.org/", UA: "curl/7.82.0", XFF: "<nil>", Dur: 929675 * time.Nanosecond, Rest: "<nil>"}},
	}
	for _, tt := range tests {
		p := NewParser(tt.format)
		var rec Record
		line := []byte(tt.line)
		if err := p.Parse(line, &rec); err != nil {
			t.Errorf("%s: Parse(%.120q) error: %v", tt.name, tt.line, err)
			continue
		}
		if got := viewOf(&rec); got != tt.want {
			t.Errorf("%s: Parse(%.120q) =\n%+v, want\n%+v", tt.name, tt.line, got, tt.want)
		}
		checkSubslices(t, line, &rec)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		format Format
		line   string
	}{
		{Combined(), ""},
		{Combined(), "hello world"},
		{Combined(), pre + `"GET / HTTP/1.0" 2000 2326 "-" "-"`},
		{Combined(), pre + `"GET / HTTP/1.0" 200 12ab "-" "-"`},
		{Combined(), `127.0.0.1 - - [10/Oct/2000:13:55:36 -07] "GET / HTTP/1.0" 200 1 "-" "-"`},
		{Combined(), `127.0.0.1 - - [31/Feb/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-"`},
		{Combined(), `127.0.0.1 - - [10/Okt/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-"`},
		{Combined(), combinedLine + `x`},
		{Common(), commonLine + `x`},
		{VHostCombined(), combinedLine},
		{JSON(), combinedLine},
		{JSON(), `{"status":200`},
		{JSON(), `{"msg":"server started"}`},
		{JSON(), `{"status":200} x`},
		{JSON(), `{"status":"abc"}`},
		{JSON(), `{"status":200,"ts":"yesterday"}`},
		{JSON(), `{"status":200,"x":[1,2}`},
		{JSON(), `{"status":200,"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`},
		{Format{}, combinedLine},
	}
	for _, tt := range tests {
		p := NewParser(tt.format)
		rec := Record{Status: 7, Path: []byte("x")}
		err := p.Parse([]byte(tt.line), &rec)
		if err == nil {
			t.Errorf("%s: Parse(%.100q) = %+v, want error", tt.format.Name(), tt.line, viewOf(&rec))
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) && !errors.Is(err, ErrNoFormat) {
			t.Errorf("%s: Parse(%.100q) error %T, want *ParseError", tt.format.Name(), tt.line, err)
		}
		if !isZero(&rec) {
			t.Errorf("%s: Parse(%.100q) error leaves %+v, want zero Record", tt.format.Name(), tt.line, viewOf(&rec))
		}
	}
}

func isZero(r *Record) bool {
	return r.VHost == nil && r.Port == nil && r.RemoteAddr == nil && r.Ident == nil && r.User == nil &&
		r.Time.IsZero() && r.Request == nil && r.Method == nil && r.Path == nil && r.Protocol == nil &&
		r.Status == 0 && r.Bytes == 0 && r.Referrer == nil && r.UserAgent == nil && r.ForwardedFor == nil &&
		r.Duration == 0 && r.Rest == nil && r.Escaping == 0
}

// checkSubslices fails the test unless every byte field of rec lies
// inside line.
func checkSubslices(t testing.TB, line []byte, rec *Record) {
	t.Helper()
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(line)))
	hi := lo + uintptr(len(line))
	for name, f := range map[string][]byte{
		"VHost": rec.VHost, "Port": rec.Port, "RemoteAddr": rec.RemoteAddr, "Ident": rec.Ident,
		"User": rec.User, "Request": rec.Request, "Method": rec.Method, "Path": rec.Path,
		"Protocol": rec.Protocol, "Referrer": rec.Referrer, "UserAgent": rec.UserAgent,
		"ForwardedFor": rec.ForwardedFor, "Rest": rec.Rest,
	} {
		if f == nil {
			continue
		}
		p := uintptr(unsafe.Pointer(unsafe.SliceData(f)))
		if p < lo || p+uintptr(len(f)) > hi {
			t.Errorf("Parse(%.80q): %s = %q is not a sub-slice of the line", line, name, f)
		}
	}
}

func TestParseAllocs(t *testing.T) {
	for _, tt := range []struct {
		f    Format
		line string
	}{
		{Combined(), combinedLine},
		{NginxMain(), `203.0.113.9 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 304 0 "-" "Mozilla/5.0" "198.51.100.7" 0.005`},
		{JSON(), `{"ts":1646861401.5241024,"request":{"client_ip":"192.0.2.4","method":"GET","uri":"/","headers":{"User-Agent":["curl/7.82.0"]}},"size":10900,"status":200}`},
	} {
		p := NewParser(tt.f)
		line := []byte(tt.line)
		var rec Record
		allocs := testing.AllocsPerRun(100, func() {
			if err := p.Parse(line, &rec); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: Parse allocates %v times per line, want 0", tt.f.Name(), allocs)
		}
	}
}

func ExampleParser_Parse() {
	p := NewParser(Combined())
	var rec Record
	line := []byte(`192.0.2.7 - - [17/May/2015:10:05:03 +0000] "GET /blog/ HTTP/1.1" 200 5120 "https://example.org/" "curl/8.0"` + "\n")
	if err := p.Parse(line, &rec); err != nil {
		fmt.Println("keep raw:", err)
		return
	}
	fmt.Printf("%s %s %d %s\n", rec.Method, rec.Path, rec.Status, rec.Time.Format(time.RFC3339))
	// Output: GET /blog/ 200 2015-05-17T10:05:03Z
}

func TestParseTimeLast(t *testing.T) {
	f, err := ParseFormat(`$status $time_local`)
	if err != nil {
		t.Fatal(err)
	}
	var rec Record
	if err := NewParser(f).Parse([]byte("200 10/Oct/2000:13:55:36 -0700"), &rec); err != nil || rec.Time.Unix() != 971211336 {
		t.Errorf("Parse with the time last = %v, %v", rec.Time, err)
	}
}
