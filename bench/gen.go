package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

// logStats describes a generated log.
type logStats struct {
	Bytes    int64 // file size
	Lines    int64 // number of lines
	NotFound int64 // lines with status 404
	NFBytes  int64 // and their bytes
}

// writeLog writes a combined-format access log of at least size bytes to
// path, the same bytes for the same seed. See genLog.
func writeLog(path string, size int64, seed uint64) (logStats, error) {
	f, err := os.Create(path)
	if err != nil {
		return logStats{}, err
	}
	st, err := genLog(f, size, seed)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return st, fmt.Errorf("generate %s: %w", path, err)
	}
	return st, nil
}

// genLog writes combined-format lines to w until at least size bytes are
// written. The traffic is shaped like a small real site: a Zipf-popular
// set of clients (5% IPv6), each with its own user agent; Zipf-popular
// pages with their assets; about 2% 404s from scanners and stale links;
// timestamps advancing 0–60 ms a line. Every line is well formed, so
// awk's $9 is its status.
func genLog(w io.Writer, size int64, seed uint64) (logStats, error) {
	return genShaped(w, size, seed, dataProfile{Shape: shapeZipf, NotFound: 0.02})
}

// genShaped writes lines of profile p's shape and 404 share to w until
// at least size bytes are written.
func genShaped(w io.Writer, size int64, seed uint64, p dataProfile) (logStats, error) {
	g := newLogGen(seed)
	g.p404 = p.NotFound
	line := g.appendLine
	switch p.Shape {
	case shapeEntropy:
		line = g.appendEntropyLine
	case shapeJSON:
		line = g.appendJSONLine
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var st logStats
	var buf []byte
	for st.Bytes < size {
		var status int
		buf, status = line(buf[:0])
		if status == 404 {
			st.NotFound++
			st.NFBytes += int64(len(buf))
		}
		st.Lines++
		st.Bytes += int64(len(buf))
		if _, err := bw.Write(buf); err != nil {
			return st, err
		}
	}
	return st, bw.Flush()
}

// logGen produces one access-log line at a time.
type logGen struct {
	r       *rand.Rand
	clients []genClient
	pickCl  *rand.Zipf
	pages   []string
	pickPg  *rand.Zipf
	t       time.Time
	sec     int64    // t's second when stamp was formatted
	stamp   []byte   // "[02/Jan/2006:15:04:05 +0000]"
	pending []string // assets the last page's browser still has to fetch
	pendCl  uint64   // and which client that is
	p404    float64  // share of lines with status 404
	scratch []byte   // a combined line, for the JSON shape
}

// genClient is one visitor: an address and the user agent it always sends.
type genClient struct {
	ip, ua string
	bot    bool
}

var (
	userAgents = []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"curl/8.5.0",
		"python-requests/2.32.3",
		"Go-http-client/1.1",
	}
	botAgents = []string{
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
	}
	words = []string{
		"parsing", "logs", "properly", "twisted", "conch", "ssh", "servers", "clients", "secure", "nginx",
		"apache", "rotation", "tail", "follow", "golang", "python", "release", "notes", "performance", "tuning",
		"kernel", "inotify", "backup", "restore", "deploy", "docker", "systemd", "debian", "upgrade", "weekly",
	}
	scannerPaths = []string{
		"/.env", "/wp-login.php", "/xmlrpc.php", "/phpmyadmin/index.php", "/.git/config", "/admin/",
		"/wp-content/plugins/revslider/temp/update_extract/revslider/x.php", "/cgi-bin/luci/;stok=/locale",
		"/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/owa/auth/logon.aspx", "/server-status",
		"/actuator/health", "/.aws/credentials", "/config.json", "/boaform/admin/formLogin",
	}
	searchReferrers = []string{
		"https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
		"https://news.ycombinator.com/item?id=41234567", "https://www.reddit.com/r/golang/comments/1h2x3y/", "https://t.co/Xy12AbCdE",
	}
)

const site = "https://www.example.org"

func newLogGen(seed uint64) *logGen {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &logGen{r: r, t: time.Date(2026, 1, 5, 6, 25, 0, 0, time.UTC), sec: -1}
	g.clients = make([]genClient, 20000)
	for i := range g.clients {
		c := &g.clients[i]
		if r.IntN(20) == 0 {
			c.ip = fmt.Sprintf("2001:db8:%x:%x::%x", r.IntN(0x10000), r.IntN(0x10000), 1+r.IntN(0xfffe))
		} else {
			c.ip = fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
		}
		if r.IntN(10) == 0 {
			c.ua, c.bot = botAgents[r.IntN(len(botAgents))], true
		} else {
			c.ua = userAgents[r.IntN(len(userAgents))]
		}
	}
	g.pickCl = rand.NewZipf(r, 1.2, 4, uint64(len(g.clients)-1))
	g.pages = []string{"/", "/blog/", "/about/", "/feed.xml", "/robots.txt", "/sitemap.xml"}
	for year := 2015; year <= 2025; year++ {
		for n := 0; n < 120; n++ {
			slug := words[r.IntN(len(words))] + "-" + words[r.IntN(len(words))] + "-" + words[r.IntN(len(words))]
			g.pages = append(g.pages, fmt.Sprintf("/blog/%d/%02d/%s/", year, 1+r.IntN(12), slug))
		}
	}
	for _, w := range words {
		g.pages = append(g.pages, "/tag/"+w+"/", "/search?q="+w+"&page="+strconv.Itoa(1+r.IntN(5)))
	}
	r.Shuffle(len(g.pages)-6, func(i, j int) { g.pages[6+i], g.pages[6+j] = g.pages[6+j], g.pages[6+i] })
	g.pickPg = rand.NewZipf(r, 1.1, 2, uint64(len(g.pages)-1))
	return g
}

// assets are what a browser fetches after a page.
var assets = []string{
	"/static/css/site.3f9a1c7e.css", "/static/js/app.b71e04d2.js", "/static/fonts/inter-var.woff2",
	"/favicon.ico", "/static/img/logo.svg",
}

// appendLine appends one line (with its LF) to b and returns it and the
// line's status.
func (g *logGen) appendLine(b []byte) ([]byte, int) {
	r := g.r
	g.t = g.t.Add(time.Duration(r.IntN(60)) * time.Millisecond)
	ci := g.pickCl.Uint64()
	if len(g.pending) > 0 && r.IntN(10) < 7 {
		ci = g.pendCl
	}
	c := g.clients[ci]

	method, proto := "GET", "HTTP/1.1"
	switch x := r.IntN(100); {
	case x < 20:
		proto = "HTTP/2.0"
	case x < 22:
		proto = "HTTP/1.0"
	}
	status := 200
	x := r.IntN(9800) // the other statuses keep their shares of the rest
	if x >= 1300 {
		x += 200
	}
	if r.Float64() < g.p404 {
		x = 1300
	}
	switch {
	case x < 800:
		status = 304
	case x < 1000:
		status = 301
	case x < 1300:
		status = 302
	case x < 1500:
		status = 404
	case x < 1550:
		status = 403
	case x < 1650:
		status = 206
	case x < 1680:
		status = 500
	case x < 1700:
		status = 503
	case x < 1760:
		status = 400
	case x < 1800:
		status = 499
	}

	var path, ref string
	size := 0
	switch {
	case status == 404:
		switch r.IntN(3) {
		case 0:
			path = scannerPaths[r.IntN(len(scannerPaths))]
			if r.IntN(3) == 0 {
				method = "POST"
			}
		case 1:
			path = fmt.Sprintf("/blog/%d/%02d/%s-%d/", 2010+r.IntN(5), 1+r.IntN(12), words[r.IntN(len(words))], r.IntN(1000))
		default:
			path = fmt.Sprintf("/static/img/photo-%04d.jpg", r.IntN(10000))
		}
		size = 150 + r.IntN(400)
		ref = "-"
	case len(g.pending) > 0 && ci == g.pendCl:
		path, g.pending = g.pending[0], g.pending[1:]
		ref = site + g.pages[g.pickPg.Uint64()]
		size = 2000 + r.IntN(90000)
	default:
		path = g.pages[g.pickPg.Uint64()]
		size = 5000 + r.IntN(40000)
		switch x := r.IntN(10); {
		case c.bot || x < 5:
			ref = "-"
		case x < 8:
			ref = site + g.pages[g.pickPg.Uint64()]
		default:
			ref = searchReferrers[r.IntN(len(searchReferrers))]
		}
		if !c.bot && r.IntN(4) == 0 {
			g.pending = append(g.pending[:0], assets[:1+r.IntN(len(assets))]...)
			g.pendCl = ci
		}
		if r.IntN(50) == 0 {
			method = "POST"
			path = "/api/v1/comments?post=" + strconv.Itoa(r.IntN(5000))
		} else if r.IntN(40) == 0 {
			method = "HEAD"
		}
	}
	switch status {
	case 304, 499:
		size = 0
	case 301, 302:
		size = 162 + r.IntN(10)
	case 206:
		path = fmt.Sprintf("/media/talk-%02d.mp4", r.IntN(40))
		size = 1 << (16 + r.IntN(5))
	case 400, 403, 500, 503:
		size = 150 + r.IntN(400)
	}
	if method == "HEAD" {
		size = 0
	}

	if s := g.t.Unix(); s != g.sec {
		g.sec = s
		g.stamp = g.t.AppendFormat(g.stamp[:0], "[02/Jan/2006:15:04:05 -0700]")
	}
	b = append(b, c.ip...)
	b = append(b, " - - "...)
	b = append(b, g.stamp...)
	b = append(b, " \""...)
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, ' ')
	b = append(b, proto...)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	if size == 0 {
		b = append(b, '-')
	} else {
		b = strconv.AppendInt(b, int64(size), 10)
	}
	b = append(b, " \""...)
	b = append(b, ref...)
	b = append(b, "\" \""...)
	b = append(b, c.ua...)
	b = append(b, "\"\n"...)
	return b, status
}
