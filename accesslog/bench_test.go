package accesslog

import (
	"fmt"
	"testing"
	"time"
)

// benchLines returns n combined lines shaped like a real log: a handful of
// clients, paths, user agents and referrers, timestamps advancing a second
// every few lines.
func benchLines(n int) [][]byte {
	addrs := []string{"203.0.113.9", "198.51.100.23", "2001:db8::7", "192.0.2.140", "66.249.66.1"}
	paths := []string{"/", "/index.html", "/blog/2015/05/parsing-logs-properly?utm_source=feed", "/static/css/site.css", "/favicon.ico", "/wp-login.php"}
	uas := []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"curl/8.5.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
	}
	refs := []string{"-", "https://www.google.com/", "https://example.org/blog/", "-"}
	status := []int{200, 200, 200, 304, 404, 200, 301, 500}
	t0 := time.Date(2015, 5, 17, 10, 5, 3, 0, time.FixedZone("", 2*3600))
	lines := make([][]byte, n)
	for i := range lines {
		t := t0.Add(time.Duration(i/4) * time.Second)
		lines[i] = fmt.Appendf(nil, "%s - - [%s] \"GET %s HTTP/1.1\" %d %d \"%s\" \"%s\"\n",
			addrs[i%len(addrs)], t.Format("02/Jan/2006:15:04:05 -0700"), paths[i%len(paths)],
			status[i%len(status)], 100+i*37%50000, refs[i%len(refs)], uas[i%len(uas)])
	}
	return lines
}

func benchParse(b *testing.B, f Format, lines [][]byte) {
	p := NewParser(f)
	var rec Record
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := p.Parse(lines[i%len(lines)], &rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkParseCombined measures the parser on combined lines; it
// reports lines/s and MB/s.
func BenchmarkParseCombined(b *testing.B) {
	benchParse(b, Combined(), benchLines(4096))
}

// BenchmarkParseJSON measures the parser on Caddy-style JSON lines.
func BenchmarkParseJSON(b *testing.B) {
	lines := make([][]byte, 1024)
	for i := range lines {
		lines[i] = fmt.Appendf(nil, `{"level":"info","ts":%d.%06d,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"41342","client_ip":"192.0.2.4","proto":"HTTP/2.0","method":"GET","host":"example.org","uri":"/blog/%d","headers":{"User-Agent":["curl/7.82.0"],"Accept":["*/*"]}},"bytes_read":0,"user_id":"","duration":0.000929675,"size":%d,"status":200,"resp_headers":{"Server":["Caddy"]}}`+"\n",
			1646861401+i/4, i*997%1000000, i, 1000+i)
	}
	benchParse(b, JSON(), lines)
}

// BenchmarkFilterStatus measures what the server does per line for
// `filter --status 404`: parse, then match.
func BenchmarkFilterStatus(b *testing.B) {
	benchFilter(b, FilterSpec{Status: "404"})
}

// BenchmarkFilterRegexps measures parse and match with a path, a user
// agent and a raw-line regular expression.
func BenchmarkFilterRegexps(b *testing.B) {
	benchFilter(b, FilterSpec{Path: `^/blog/`, NotUA: `(?i)bot`, Grep: `HTTP/1\.1`})
}

func benchFilter(b *testing.B, spec FilterSpec) {
	f, err := Compile(spec, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	lines := benchLines(4096)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	p := NewParser(Combined())
	var rec Record
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		l := lines[i%len(lines)]
		err := p.Parse(l, &rec)
		if f.Match(l, &rec, err) {
			n++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
