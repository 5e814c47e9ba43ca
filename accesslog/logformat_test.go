package accesslog

import (
	"errors"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		format string
		name   string // want Name()
		line   string // a line it must parse
		want   view
	}{
		{"combined", NameCombined, combinedLine, base()},
		{`%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"`, "custom", combinedLine, base()},
		{`"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\""`, "custom", combinedLine, base()},
		{`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`, "custom", combinedLine, base()},
		{`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`, "custom",
			`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
			base()},
		{`'$remote_addr - $remote_user [$time_local] "$request" '
		  '$status $body_bytes_sent "$http_referer" '
		  '"$http_user_agent" $request_time'`, "custom",
			combinedLine + ` 0.250`, with(func(v *view) { v.Ident, v.Dur = "<nil>", 250e6 })},
		{`%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i" %D`, "custom",
			`example.org:80 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)" 1500`,
			with(func(v *view) { v.VHost, v.Port, v.Dur = "example.org", "80", 1500e3 })},
		{`%a %{%d/%b/%Y:%H:%M:%S %z}t %m %U%q %H %>s %B %T`, "custom",
			`127.0.0.1 10/Oct/2000:13:55:36 -0700 GET /a?b=1 HTTP/1.0 200 2326 2`,
			with(func(v *view) {
				v.Ident, v.User, v.Request, v.Path, v.Ref, v.UA, v.Dur = "<nil>", "<nil>", "<nil>", "/a?b=1", "<nil>", "<nil>", 2e9
			})},
		{`$remote_addr $time_iso8601 "$request_method $uri$is_args$args $server_protocol" $status $bytes_sent`, "custom",
			`127.0.0.1 2000-10-10T13:55:36-07:00 "GET /a?b=1 HTTP/1.0" 200 2326`,
			with(func(v *view) {
				v.Ident, v.User, v.Request, v.Path, v.Ref, v.UA = "<nil>", "<nil>", "<nil>", "/a?b=1", "<nil>", "<nil>"
			})},
		{`escape=json '{"t":"$time_iso8601","ip":"$remote_addr","req":"$request","code":$status,"sent":$body_bytes_sent,"ref":"$http_referer","agent":"$http_user_agent","rt":$request_time}'`, "custom",
			`{"t":"2000-10-10T13:55:36-07:00","ip":"127.0.0.1","req":"GET /apache_pb.gif HTTP/1.0","code":200,"sent":2326,"ref":"http://www.example.com/start.html","agent":"Mozilla/4.08 [en] (Win98; I ;Nav)","rt":0.001}`,
			with(func(v *view) { v.Ident, v.User, v.Dur = "<nil>", "<nil>", 1e6 })},
		{`{ "time":"%{%Y-%m-%dT%H:%M:%S%z}t", "client":"%a", "request":"%r", "status":%>s, "bytes":%B, "user":"%u" }`, "custom",
			`{ "time":"2000-10-10T13:55:36-0700", "client":"127.0.0.1", "request":"GET /apache_pb.gif HTTP/1.0", "status":200, "bytes":2326, "user":"frank" }`,
			with(func(v *view) { v.Ident, v.Ref, v.UA = "<nil>", "<nil>", "<nil>" })},
		{`escape=none $remote_addr [$time_local] "$request" $status $body_bytes_sent`, "custom",
			`127.0.0.1 [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
			with(func(v *view) { v.Ident, v.User, v.Ref, v.UA = "<nil>", "<nil>", "<nil>", "<nil>" })},
	}
	for _, tt := range tests {
		f, err := ParseFormat(tt.format)
		if err != nil {
			t.Errorf("ParseFormat(%q): %v", tt.format, err)
			continue
		}
		if f.Name() != tt.name {
			t.Errorf("ParseFormat(%q).Name() = %q, want %q", tt.format, f.Name(), tt.name)
		}
		g, err := ParseFormat(f.String())
		if err != nil || !g.equal(f) || g.String() != f.String() {
			t.Errorf("ParseFormat(%q).String() = %q, which parses as %q, %v", tt.format, f.String(), g.String(), err)
		}
		var rec Record
		line := []byte(tt.line)
		if err := NewParser(f).Parse(line, &rec); err != nil {
			t.Errorf("ParseFormat(%q): Parse(%q): %v", tt.format, tt.line, err)
			continue
		}
		if got := viewOf(&rec); got != tt.want {
			t.Errorf("ParseFormat(%q): Parse(%q) =\n%+v, want\n%+v", tt.format, tt.line, got, tt.want)
		}
		checkSubslices(t, line, &rec)
	}
}

func TestParseFormatErrors(t *testing.T) {
	tests := []struct {
		format string
		offset int
	}{
		{"", 0},
		{"   ", 0},
		{"plain text", 0},
		{"%h %Z", 3},
		{"%h %{Referer", 3},
		{"%h %", 3},
		{"%h %{%H:%M}t", 3},
		{"%h%u", 2},
		{"$remote_addr$remote_user", 12},
		{"%h $remote_addr", 0},
		{"${remote_addr", 0},
		{"'$remote_addr", 0},
		{"'$remote_addr' x", 15},
		{`{"a":"$upstream_addr"}`, 0},
	}
	for _, tt := range tests {
		f, err := ParseFormat(tt.format)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("ParseFormat(%q) = %q, %v; want *FormatError", tt.format, f.String(), err)
			continue
		}
		if fe.Offset != tt.offset {
			t.Errorf("ParseFormat(%q): error %q at offset %d, want %d", tt.format, err, fe.Offset, tt.offset)
		}
		if !f.IsZero() {
			t.Errorf("ParseFormat(%q) returned a non-zero Format with an error", tt.format)
		}
	}
}

func TestBuiltinStrings(t *testing.T) {
	for _, f := range []Format{Common(), Combined(), VHostCombined(), NginxMain(), JSON()} {
		g, err := ParseFormat(f.String())
		if err != nil || g.Name() != f.Name() || !g.equal(f) {
			t.Errorf("ParseFormat(%q) = %q, %v; want the built-in", f.String(), g.Name(), err)
		}
	}
}
