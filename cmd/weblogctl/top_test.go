package main

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// topLog is a known combined log for the top tests and, computed from
// the fields as they are written (not by parsing the log), its true
// counts by path and by status class.
type topLog struct {
	data    []byte
	paths   map[string]int
	classes map[string]int
}

// genTopLog returns n lines of host's log: paths /HOST/pN with N skewed
// so that the top paths differ in count, statuses of every class, some
// with referrers, timestamps at now.
func genTopLog(host string, n int) topLog {
	l := topLog{paths: map[string]int{}, classes: map[string]int{}}
	statuses := []int{200, 200, 200, 200, 301, 404, 200, 500, 200, 304}
	var b bytes.Buffer
	now := time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700")
	for i := range n {
		p := fmt.Sprintf("/%s/p%d", host, (i*i)%37%13)
		st := statuses[i%len(statuses)]
		ref := "-"
		if i%3 == 0 {
			ref = "https://search.example/q?x=" + fmt.Sprint(i%4)
		}
		fmt.Fprintf(&b, "198.51.100.%d - - [%s] \"GET %s?i=%d HTTP/1.1\" %d %d \"%s\" \"agent-%d\"\n", i%50+1, now, p, i, st, 100+i%900, ref, i%6)
		l.paths[p]++
		l.classes[fmt.Sprintf("%dxx", st/100)]++
	}
	l.data = b.Bytes()
	return l
}

// top returns the k paths with the most lines, ties by name.
func (l topLog) top(k int) []string {
	var ps []string
	for p := range l.paths {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if l.paths[ps[i]] != l.paths[ps[j]] {
			return l.paths[ps[i]] > l.paths[ps[j]]
		}
		return ps[i] < ps[j]
	})
	return ps[:min(k, len(ps))]
}

// tmuxPane is a tmux server of its own (its own socket) with one
// 120×40 pane running a shell.
type tmuxPane struct {
	t    testing.TB
	tmux string
	sock string
}

func startTmux(t testing.TB) *tmuxPane {
	t.Helper()
	tp := &tmuxPane{t: t, tmux: sshdtest.Require(t, "tmux", ""), sock: filepath.Join(t.TempDir(), "tmux.sock")}
	tp.run("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "top", "env PS1='$ ' sh")
	t.Cleanup(func() { exec.Command(tp.tmux, "-S", tp.sock, "kill-server").Run() })
	return tp
}

func (tp *tmuxPane) run(args ...string) string {
	tp.t.Helper()
	out, err := exec.Command(tp.tmux, append([]string{"-S", tp.sock}, args...)...).CombinedOutput()
	if err != nil {
		tp.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys types into the pane.
func (tp *tmuxPane) keys(keys ...string) {
	tp.run(append([]string{"send-keys", "-t", "top"}, keys...)...)
}

func (tp *tmuxPane) capture() string { return tp.run("capture-pane", "-p", "-t", "top") }

// waitFor polls the screen (tmux has no change events) until ok holds
// for it, failing after timeout; it returns the screen and the time it
// took.
func (tp *tmuxPane) waitFor(what string, timeout time.Duration, ok func(screen string) bool) (string, time.Duration) {
	tp.t.Helper()
	start := time.Now()
	for {
		s := tp.capture()
		if ok(s) {
			return s, time.Since(start)
		}
		if time.Since(start) > timeout {
			tp.t.Fatalf("after %s the screen does not show %s:\n%s", timeout, what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// topCommandLine is the shell command that runs weblogctl top against f
// and then prints a marker with its exit status.
func topCommandLine(t testing.TB, f *testFleet, args string) string {
	bin := buildBin(t, "weblogctl")
	return fmt.Sprintf("clear; HOME=%s NO_COLOR=1 %s -F %s top --log access %s; echo TOP-EXITED-$?", t.TempDir(), bin, f.config, args)
}

// panelRow matches a row of the top paths panel: count, percentage, path.
func panelRow(count int, key string) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`(?m)^\s*%d\s+\d+\.\d\s+%s\s`, count, regexp.QuoteMeta(key)))
}

// TestTopTmux: top in a 120×40 tmux pane shows the top paths and the
// status classes of a known log with their true counts, shows lines
// appended within 2 s, and q leaves the alternate screen for the shell.
func TestTopTmux(t *testing.T) {
	log := genTopLog("web1", 3000)
	f := startFleet(t, []string{"web1"}, fleetOptions{logs: func(string) []byte { return log.data }})
	tp := startTmux(t)
	tp.keys(topCommandLine(t, f, "web1"), "Enter")
	want := log.top(8)
	screen, _ := tp.waitFor("the log's top paths and classes", 20*time.Second, func(s string) bool {
		for _, p := range want {
			if !panelRow(log.paths[p], p).MatchString(s) {
				return false
			}
		}
		for c, n := range log.classes {
			if !strings.Contains(s, fmt.Sprintf("%s %d (", c, n)) {
				return false
			}
		}
		return strings.Contains(s, "requests 3000 ")
	})
	t.Logf("screen:\n%s", screen)
	if got := strings.TrimSpace(tp.run("display", "-p", "-t", "top", "#{alternate_on}")); got != "1" {
		t.Errorf("alternate_on while top runs = %q, want 1", got)
	}

	// New lines show within 2 s.
	var fresh bytes.Buffer
	now := time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700")
	for i := range 77 {
		fmt.Fprintf(&fresh, "203.0.113.9 - - [%s] \"GET /fresh/page HTTP/1.1\" 503 %d \"-\" \"late\"\n", now, i)
	}
	f.appendLog(t, "web1", fresh.Bytes())
	_, took := tp.waitFor("the appended lines", 10*time.Second, func(s string) bool {
		return panelRow(77, "/fresh/page").MatchString(s) && strings.Contains(s, "requests 3077 ")
	})
	t.Logf("appended lines shown after %s", took)
	if took > 2*time.Second {
		t.Errorf("appended lines took %s to show, want at most 2s", took)
	}

	// The filter prompt restarts the feeds with the filter.
	tp.keys("/", "status:5xx", "Enter")
	tp.waitFor("the 5xx lines only", 10*time.Second, func(s string) bool {
		return strings.Contains(s, fmt.Sprintf("requests %d ", log.classes["5xx"]+77)) && panelRow(77, "/fresh/page").MatchString(s) &&
			strings.Contains(s, "[filter: status:5xx]")
	})
	tp.keys("/", "status:bogus", "Enter")
	tp.waitFor("the bad filter refused, the old one kept", 10*time.Second, func(s string) bool {
		return strings.Contains(s, "[filter: status:5xx]") && strings.Contains(s, "filter: ") && strings.Contains(s, fmt.Sprintf("requests %d ", log.classes["5xx"]+77))
	})
	tp.keys("5")
	tp.waitFor("the 5m window", 10*time.Second, func(s string) bool { return strings.Contains(s, "window 5m") })

	tp.keys("q")
	screen, _ = tp.waitFor("the shell after q", 10*time.Second, func(s string) bool { return strings.Contains(s, "TOP-EXITED-0") })
	if strings.Contains(screen, "TOP PATHS") {
		t.Errorf("the dashboard is still on the screen after q:\n%s", screen)
	}
	if got := strings.TrimSpace(tp.run("display", "-p", "-t", "top", "#{alternate_on}")); got != "0" {
		t.Errorf("alternate_on after q = %q, want 0", got)
	}
}

// switchListener is a listener whose host can be taken down (every
// connection closed, new ones refused) and brought back.
type switchListener struct {
	net.Listener
	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func (l *switchListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if l.down {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.conns[c] = true
		l.mu.Unlock()
		return c, nil
	}
}

// set takes the host down (closing its connections) or up.
func (l *switchListener) set(down bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.down = down
	if down {
		for c := range l.conns {
			c.Close()
		}
		clear(l.conns)
	}
}

// hostRow matches the per-host row of host in state with requests.
func hostRow(host, state string, requests int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`(?m)^%s\s+%s\s+%d\s`, regexp.QuoteMeta(host), state, requests))
}

// TestTopTmuxFleet: with 3 hosts, one whose server dies is marked STALE
// while the others keep updating, and is back when its server is.
func TestTopTmuxFleet(t *testing.T) {
	hosts := []string{"web1", "web2", "web3"}
	logs := map[string]topLog{}
	for _, h := range hosts {
		logs[h] = genTopLog(h, 500)
	}
	var mu sync.Mutex
	var ls []*switchListener
	f := startFleet(t, hosts, fleetOptions{
		logs: func(h string) []byte { return logs[h].data },
		listen: func(l net.Listener) net.Listener {
			mu.Lock()
			defer mu.Unlock()
			sl := &switchListener{Listener: l, conns: map[net.Conn]bool{}}
			ls = append(ls, sl)
			return sl
		},
	})
	tp := startTmux(t)
	tp.keys(topCommandLine(t, f, "web1 web2 web3"), "Enter")
	tp.waitFor("three hosts up", 20*time.Second, func(s string) bool {
		return hostRow("web1", "up", 500).MatchString(s) && hostRow("web2", "up", 500).MatchString(s) &&
			hostRow("web3", "up", 500).MatchString(s) && strings.Contains(s, "requests 1500 ")
	})

	ls[1].set(true) // web2 dies
	tp.waitFor("web2 stale", 20*time.Second, func(s string) bool { return hostRow("web2", "STALE", 500).MatchString(s) })
	more := genTopLog("late", 40)
	f.appendLog(t, "web1", more.data)
	f.appendLog(t, "web3", more.data)
	screen, _ := tp.waitFor("web1 and web3 updating while web2 is stale", 10*time.Second, func(s string) bool {
		return hostRow("web1", "up", 540).MatchString(s) && hostRow("web3", "up", 540).MatchString(s) &&
			hostRow("web2", "STALE", 500).MatchString(s)
	})
	t.Logf("screen with web2 down:\n%s", screen)

	ls[1].set(false) // web2 is back: reconnected with backoff, counted anew
	f.appendLog(t, "web2", more.data)
	tp.waitFor("web2 back", 40*time.Second, func(s string) bool { return hostRow("web2", "up", 540).MatchString(s) })
	tp.keys("q")
	tp.waitFor("the shell after q", 10*time.Second, func(s string) bool { return strings.Contains(s, "TOP-EXITED-0") })
}

// TestTopUsage: top refuses what it cannot do before dialling anyone.
func TestTopUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"top", "web1"}, "needs a terminal"},
		{[]string{"top", "--web", "0.0.0.0:8080", "web1"}, "not a loopback address"},
		{[]string{"top", "--web", ":8080", "web1"}, "not a loopback address"},
		{[]string{"top", "--every", "500ms", "--web", "127.0.0.1:0", "web1"}, "--every must be whole seconds"},
		{[]string{"top", "--window", "2m", "--web", "127.0.0.1:0", "web1"}, "--window"},
		{[]string{"top", "--status", "abc", "--web", "127.0.0.1:0", "web1"}, "status"},
	} {
		code, _, stderr := runWeblogctl(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("weblogctl %s: exit %d, stderr %q; want 2 and %q", strings.Join(c.args, " "), code, stderr, c.want)
		}
	}
}
