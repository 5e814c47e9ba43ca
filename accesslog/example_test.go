package accesslog_test

import (
	"fmt"

	"github.com/weblogctl/weblogctl/accesslog"
)

func ExampleParseFormat() {
	f, err := accesslog.ParseFormat(`'$remote_addr - $remote_user [$time_local] "$request" '
	                                  '$status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time'`)
	if err != nil {
		fmt.Println(err)
		return
	}
	var rec accesslog.Record
	line := `192.0.2.7 - - [17/May/2015:10:05:03 +0000] "GET /api HTTP/1.1" 200 512 "-" "curl/8.0" 0.042`
	if err := accesslog.NewParser(f).Parse([]byte(line), &rec); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rec.Status, rec.Duration, rec.Referrer == nil)

	_, err = accesslog.ParseFormat(`%h %l %u %t "%r" %>s %Q`)
	fmt.Println(err)
	// Output:
	// 200 42ms true
	// accesslog: log format: byte 21 (at "%Q"): %Q: unknown directive
}

func ExampleDetect() {
	lines := [][]byte{
		[]byte(`www.example.com:443 2001:db8::1 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5120 "-" "curl/7.68.0"`),
		[]byte(`www.example.com:80 192.0.2.4 - - [17/May/2015:10:05:04 +0000] "GET / HTTP/1.1" 301 310 "-" "curl/7.68.0"`),
	}
	fmt.Println(accesslog.Detect(lines).Name())
	// Output: vhost_combined
}

func ExampleFilterSpec_Args() {
	spec := accesslog.FilterSpec{Status: "5xx", Path: "^/api/", Since: "2h"}
	args := spec.Args()
	fmt.Println(args)
	back, err := accesslog.ParseFilterArgs(args)
	fmt.Println(back == spec, err)
	// Output:
	// [--status=5xx --path=^/api/ --since=2h]
	// true <nil>
}
