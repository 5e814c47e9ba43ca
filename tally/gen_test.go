package tally

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// genLog returns n lines of a combined log, the same for the same seed:
// IPv4 and (1 in 10) IPv6 clients, paths with and without queries, "-"
// sizes, referrers with and without a host, times crossing minutes, hours
// and days, and every 50th line garbage. With dur, each line ends with a
// %D duration in microseconds.
func genLog(n int, seed uint64, dur bool) string {
	r := rand.New(rand.NewPCG(seed, 1))
	methods := []string{"GET", "GET", "GET", "POST", "HEAD", "PUT"}
	paths := []string{"/", "/blog/", "/blog/post-1", "/static/site.css", "/api/v1/items", "/wp-login.php", "/search"}
	queries := []string{"", "", "?q=go", "?q=ssh&page=2", "?id=7"}
	statuses := []int{200, 200, 200, 200, 304, 301, 404, 404, 500, 503, 206}
	refs := []string{"-", "-", "https://www.google.com/", "http://Example.COM:8080/blog/?x=1", "https://user@news.ycombinator.com/item?id=1", "android-app://com.google.android.gm", ""}
	uas := []string{"Mozilla/5.0 (X11; Linux x86_64; rv:38.0) Gecko/20100101 Firefox/38.0", "curl/8.5.0", "Googlebot/2.1", "-"}
	t := time.Date(2026, 12, 3, 23, 58, 0, 0, time.UTC)
	var b strings.Builder
	for i := range n {
		if i%50 == 49 {
			b.WriteString("garbage line without structure\n")
			continue
		}
		t = t.Add(time.Duration(r.IntN(400)) * time.Millisecond)
		var ip string
		if r.IntN(10) == 0 {
			ip = fmt.Sprintf("2001:db8:%x::%x", 1+r.IntN(3), 1+r.IntN(20))
		} else {
			ip = fmt.Sprintf("%d.%d.%d.%d", 192+r.IntN(2), 168, r.IntN(4), 1+r.IntN(30))
		}
		size := fmt.Sprint(r.IntN(20000))
		if r.IntN(8) == 0 {
			size = "-"
		}
		fmt.Fprintf(&b, "%s - - [%s] \"%s %s%s HTTP/1.1\" %d %s \"%s\" \"%s\"",
			ip, t.Format("02/Jan/2006:15:04:05 -0700"), methods[r.IntN(len(methods))],
			paths[r.IntN(len(paths))], queries[r.IntN(len(queries))], statuses[r.IntN(len(statuses))],
			size, refs[r.IntN(len(refs))], uas[r.IntN(len(uas))])
		if dur {
			fmt.Fprintf(&b, " %d", r.IntN(2000000)+r.IntN(3)*1000)
		}
		b.WriteString("\n")
	}
	return b.String()
}
