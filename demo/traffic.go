package demo

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"strings"
	"time"
)

// Traffic makes up combined-format access-log lines: a handful of
// visitors and crawlers, pages and assets, the odd scanner probing for
// admin pages; mostly 200s, with 304s, redirects, 404s and a rare 500.
// Its tables are weighted by repetition.
type Traffic struct {
	r        *mrand.Rand
	clients  []struct{ ip, ua string }
	scanners []string
	pages    []string
	assets   []string
	probes   []string
	refs     []string
}

// NewTraffic returns a Traffic drawing from r.
func NewTraffic(r *mrand.Rand) *Traffic {
	const (
		chrome  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
		safari  = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
		firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
		iphone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
		android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	)
	return &Traffic{
		r: r,
		clients: []struct{ ip, ua string }{
			{"203.0.113.7", chrome}, {"203.0.113.7", chrome}, {"203.0.113.54", chrome},
			{"198.51.100.23", safari}, {"198.51.100.23", safari},
			{"192.0.2.144", firefox},
			{"2001:db8:85a3::8a2e:370:7334", iphone}, {"203.0.113.91", android},
			{"66.249.66.1", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
			{"157.55.39.12", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"},
			{"192.0.2.77", "curl/8.5.0"},
		},
		scanners: []string{"198.51.100.250", "203.0.113.200"},
		pages: []string{"/", "/", "/", "/blog/", "/blog/2025/10/tailing-logs-over-ssh", "/blog/2025/09/log-rotation-explained",
			"/about", "/contact", "/feed.xml", "/search?q=ssh+tunnel", "/docs/install", "/docs/server?lang=en"},
		assets: []string{"/static/css/site.css", "/static/js/app.js", "/images/logo.svg", "/images/header.jpg", "/favicon.ico"},
		probes: []string{"/wp-login.php", "/.env", "/admin/", "/phpmyadmin/", "/.git/config", "/cgi-bin/luci"},
		refs:   []string{"-", "-", "-", "https://www.google.com/", "https://duckduckgo.com/", "https://news.ycombinator.com/", "https://www.example.org/links.html"},
	}
}

// Line returns one access-log line for a request at t.
func (g *Traffic) Line(t time.Time) string {
	pick := func(s []string) string { return s[g.r.IntN(len(s))] }
	c := g.clients[g.r.IntN(len(g.clients))]
	ip, ua, method, proto := c.ip, c.ua, "GET", "HTTP/1.1"
	if g.r.IntN(3) == 0 {
		proto = "HTTP/2.0"
	}
	var path, ref, size string
	status := 200
	switch n := g.r.IntN(100); {
	case n < 5: // a scanner
		ip, ua, path, ref = pick(g.scanners), "Mozilla/5.0 zgrab/0.x", pick(g.probes), "-"
		status = 404
		if strings.HasPrefix(path, "/admin") {
			status = 403
		}
		size = fmt.Sprint(150 + g.r.IntN(40))
	case n < 40: // an asset, often from the cache
		path, ref = pick(g.assets), "https://www.example.com/"
		if g.r.IntN(2) == 0 {
			status, size = 304, "-"
		} else {
			size = fmt.Sprint(800 + g.r.IntN(90000))
		}
	default: // a page
		path, ref = pick(g.pages), pick(g.refs)
		size = fmt.Sprint(3000 + g.r.IntN(40000))
		switch m := g.r.IntN(100); {
		case m < 3:
			status, size = 500, "612"
		case m < 8:
			status, size, path = 301, "169", "/blog"
		case m < 13:
			status, size, path = 404, "153", "/blog/2019/01/old-post"
		case m < 16:
			method, path, status, size = "POST", "/contact", 303, "-"
		case m < 18:
			method, size = "HEAD", "-"
		}
	}
	return fmt.Sprintf("%s - - [%s] \"%s %s %s\" %d %s \"%s\" \"%s\"\n",
		ip, t.Format("02/Jan/2006:15:04:05 -0700"), method, path, proto, status, size, ref, ua)
}

// History returns n lines from the minute before now, oldest first.
func (g *Traffic) History(now time.Time, n int) []byte {
	var b strings.Builder
	for i := range n {
		b.WriteString(g.Line(now.Add(-time.Duration(n-i) * 3 * time.Second)))
	}
	return []byte(b.String())
}

// Run appends one to three lines to path every 150–450ms until ctx ends,
// each batch in a single write, as a web server appends.
func (g *Traffic) Run(ctx context.Context, path string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	defer f.Close()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			var batch strings.Builder
			for range 1 + g.r.IntN(3) {
				batch.WriteString(g.Line(now))
			}
			if _, err := f.WriteString(batch.String()); err != nil {
				return
			}
			t.Reset(150*time.Millisecond + time.Duration(g.r.IntN(300))*time.Millisecond)
		}
	}
}
