package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/sshserver"
	"github.com/weblogctl/weblogctl/subsystem"
)

// demoHost is the ssh_config alias of the demo server.
const demoHost = "weblog-demo"

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "try it with no setup: follow a made-up busy log through a local SSH server",
		Description: `Starts weblog-server's embedded SSH server on a random 127.0.0.1 port with
throwaway keys, writes realistic access-log lines to a temporary log a few
times a second, and follows that log through a real SSH connection, as
'weblogctl follow' would follow a remote host. Everything it creates lives
in one temporary directory, removed when it stops (after --duration, or on
Ctrl-C). While it runs, it prints on stderr how to try the same server
with ssh(1) by hand.`,
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "duration", Usage: "stop after `D` (e.g. 30s); default: until Ctrl-C"},
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{fmt.Errorf("demo: unexpected argument %q", c.Args().First())}
			}
			d := c.Duration("duration")
			if d < 0 {
				return usageError{errors.New("demo: --duration must not be negative")}
			}
			ctx := c.Context
			if d > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, d)
				defer cancel()
			}
			err := runDemo(ctx, c.App.Writer, c.App.ErrWriter, c.Bool("verbose"))
			if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil // the time is up, or Ctrl-C: a normal end
			}
			return err
		},
	}
}

// runDemo runs the demo until ctx ends, removing what it created.
func runDemo(ctx context.Context, stdout, stderr io.Writer, verbose bool) error {
	dir, err := os.MkdirTemp("", "weblogctl-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	if strings.ContainsFunc(dir, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+", r))
	}) {
		// The path goes into an ssh_config file, which cannot quote it.
		return fmt.Errorf("demo: temporary directory %q: use a TMPDIR without spaces or special characters", dir)
	}
	logPath := filepath.Join(dir, "access.log")
	traffic := newTraffic(mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64())))
	if err := os.WriteFile(logPath, traffic.history(time.Now(), 20), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	// Throwaway keys: the client's, authorized; the server makes its own.
	keyFile := filepath.Join(dir, "id_ed25519")
	pub, err := writeClientKey(keyFile)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(pub), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	profile, err := policy.ProfileFromFlags(policy.Values{"profile": {"demo"}, "log": {"access=" + logPath}})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sub, err := subsystem.New(profile, subsystem.Options{Version: version()})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	cfg := sshserver.Config{
		HostKeyFile:        filepath.Join(dir, "host_key"),
		AuthorizedKeysFile: filepath.Join(dir, "authorized_keys"),
		Subsystem:          sub,
	}
	if verbose {
		cfg.Logger = stderr
	}
	srv, err := sshserver.New(cfg)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	addr := ln.Addr().(*net.TCPAddr)

	// The server and the traffic run until the demo returns; the
	// deferred calls stop them before the directory goes.
	bg, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		stop()
		wg.Wait()
	}()
	wg.Add(2)
	go func() {
		defer wg.Done()
		srv.Serve(bg, ln)
	}()
	go func() {
		defer wg.Done()
		traffic.run(bg, logPath)
	}()

	// What a user's ~/.ssh would hold for this host, in the directory.
	known := filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(addr.String())}, srv.HostKey()) + "\n"
	if err := os.WriteFile(known, []byte(line), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sshConfig := filepath.Join(dir, "ssh_config")
	conf := fmt.Sprintf(`Host %s
	HostName 127.0.0.1
	Port %d
	User demo
	IdentityFile %s
	IdentitiesOnly yes
	IdentityAgent none
	UserKnownHostsFile %s
	GlobalKnownHostsFile none
	StrictHostKeyChecking yes
	BatchMode yes
`, demoHost, addr.Port, keyFile, known)
	if err := os.WriteFile(sshConfig, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}

	dc := sshdial.Config{ConfigFile: sshConfig, Stderr: stderr}
	if verbose {
		dc.Debug = stderr
	}
	conn, err := sshdial.Dial(ctx, demoHost, dc)
	if err != nil {
		return connectError{err}
	}
	defer conn.Close()

	fmt.Fprintf(stderr, `weblogctl demo: following a made-up access log through a real SSH connection
  to weblog-server's embedded server on %s, with throwaway keys;
  everything is in %s and goes away when the demo stops (Ctrl-C).
  Meanwhile, try from another terminal:
    ssh -F %[3]s %[4]s              # follow it with plain ssh
    ssh -F %[3]s %[4]s cat access   # the whole log
    weblogctl -F %[3]s ls %[4]s
  or, without the config file:
    ssh -p %[5]d -i %[6]s -o UserKnownHostsFile=%[7]s demo@127.0.0.1
`, addr, dir, sshConfig, demoHost, addr.Port, keyFile, known)

	pr, err := newPrinter(stdout, "", "")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	n := 10
	_, err = client.New(conn).Follow(ctx, "access", client.FollowOptions{Lines: &n}, func(lines []byte) error {
		if err := pr.lines(lines); err != nil {
			return err
		}
		return pr.flush()
	})
	return err
}

// writeClientKey makes an ed25519 key, writes it to path in OpenSSH format
// (mode 0600, as ssh(1) insists) and returns its public half.
func writeClientKey(path string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "weblogctl demo")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(pub)
}

// traffic makes up combined-format access-log lines: a handful of
// visitors and crawlers, pages and assets, the odd scanner probing for
// admin pages; mostly 200s, with 304s, redirects, 404s and a rare 500.
// Its tables are weighted by repetition.
type traffic struct {
	r        *mrand.Rand
	clients  []struct{ ip, ua string }
	scanners []string
	pages    []string
	assets   []string
	probes   []string
	refs     []string
}

func newTraffic(r *mrand.Rand) *traffic {
	const (
		chrome  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
		safari  = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
		firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
		iphone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
		android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	)
	return &traffic{
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

// line returns one access-log line for a request at t.
func (g *traffic) line(t time.Time) string {
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

// history returns n lines from the minute before now, oldest first.
func (g *traffic) history(now time.Time, n int) []byte {
	var b strings.Builder
	for i := range n {
		b.WriteString(g.line(now.Add(-time.Duration(n-i) * 3 * time.Second)))
	}
	return []byte(b.String())
}

// run appends one to three lines to path every 150–450ms until ctx ends,
// each batch in a single write, as a web server appends.
func (g *traffic) run(ctx context.Context, path string) {
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
				batch.WriteString(g.line(now))
			}
			if _, err := f.WriteString(batch.String()); err != nil {
				return
			}
			t.Reset(150*time.Millisecond + time.Duration(g.r.IntN(300))*time.Millisecond)
		}
	}
}
