package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// web2Redial is web2's row while top redials its dead server.
var web2Redial = regexp.MustCompile(`(?m)^web2\s+STALE\s.*dial web2 \(127\.0\.0\.1:\d+\)`)

// listenProcess is one `weblog-server listen` OS process on 127.0.0.1.
type listenProcess struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{} // closed when its stderr ends
	mu   sync.Mutex
	log  bytes.Buffer // its stderr
}

// listenAddr is the address in listen's "listening on ADDR, …" line.
var listenAddr = regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)

// startListen runs `weblog-server listen --addr 127.0.0.1:0` serving log
// as "access" to the keys in authKeys, and returns once it listens. The
// process is killed when the test ends.
func startListen(t *testing.T, server, hostKey, authKeys, log string) *listenProcess {
	t.Helper()
	p := &listenProcess{done: make(chan struct{})}
	p.cmd = exec.Command(server, "listen", "--addr", "127.0.0.1:0", "--host-key", hostKey, "--authorized-keys", authKeys, "--log", "access="+log)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if m := listenAddr.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
		<-p.done
		if t.Failed() {
			p.mu.Lock()
			t.Logf("weblog-server listen (%s) log:\n%s", p.addr, p.log.String())
			p.mu.Unlock()
		}
	})
	select {
	case p.addr = <-addr:
	case <-p.done:
		t.Fatal("weblog-server listen exited before it listened")
	case <-time.After(20 * time.Second):
		t.Fatal("weblog-server listen did not listen in 20s")
	}
	return p
}

// kill sends SIGKILL and returns once the process is gone.
func (p *listenProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var ee *exec.ExitError
	if err := p.cmd.Wait(); !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("weblog-server listen ended with %v, want killed by SIGKILL", err)
	}
}

// TestTopTmuxFleetKilled: `weblogctl top` in a 120×40 tmux pane over
// three `weblog-server listen` processes; one is killed with SIGKILL.
// The dead host is marked STALE and keeps its last count although its
// log grows, while the other two keep updating, round after round of
// appended lines.
func TestTopTmuxFleetKilled(t *testing.T) {
	server := buildBin(t, "weblog-server")
	hosts := []string{"web1", "web2", "web3"}
	dir := t.TempDir()
	authKeys := clientKey(t, dir)
	f := &testFleet{dir: dir, logs: map[string]string{}, addrs: map[string]string{}}
	procs := map[string]*listenProcess{}
	var cfg, known strings.Builder
	for _, h := range hosts {
		hostKey := filepath.Join(dir, h+"_host_ed25519")
		hostPub, err := sshdtest.WriteKey(hostKey)
		if err != nil {
			t.Fatal(err)
		}
		f.logs[h] = filepath.Join(dir, h+".log")
		if err := os.WriteFile(f.logs[h], genTopLog(h, 500).data, 0o644); err != nil {
			t.Fatal(err)
		}
		procs[h] = startListen(t, server, hostKey, authKeys, f.logs[h])
		f.addrs[h] = procs[h].addr
		_, port, _ := net.SplitHostPort(procs[h].addr)
		known.WriteString(knownhosts.Line([]string{knownhosts.Normalize(procs[h].addr)}, hostPub) + "\n")
		fmt.Fprintf(&cfg, "Host %s\n  HostName 127.0.0.1\n  Port %s\n", h, port)
	}
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(known.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.WriteString("Host *\n" + clientConfig(dir) + "  ConnectTimeout 10\n")
	f.config = filepath.Join(dir, "ssh_config")
	if err := os.WriteFile(f.config, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	tp := startTmux(t)
	tp.keys(topCommandLine(t, f, "web1 web2 web3"), "Enter")
	tp.waitFor("three hosts up with 500 requests each", 20*time.Second, func(s string) bool {
		return hostRow("web1", "up", 500).MatchString(s) && hostRow("web2", "up", 500).MatchString(s) &&
			hostRow("web3", "up", 500).MatchString(s) && strings.Contains(s, "requests 1500 ")
	})

	procs["web2"].kill(t)
	tp.waitFor("web2 marked stale after its server was killed", 20*time.Second, func(s string) bool {
		return hostRow("web2", "STALE", 500).MatchString(s) && web2Redial.MatchString(s)
	})
	for round, want := range []int{540, 580} {
		more := genTopLog(fmt.Sprintf("late%d", round), 40)
		for _, h := range hosts {
			f.appendLog(t, h, more.data) // web2's log grows too; nothing may count it
		}
		screen, took := tp.waitFor(fmt.Sprintf("web1 and web3 at %d while web2 stays stale at 500", want), 10*time.Second, func(s string) bool {
			return hostRow("web1", "up", want).MatchString(s) && hostRow("web3", "up", want).MatchString(s) &&
				hostRow("web2", "STALE", 500).MatchString(s)
		})
		t.Logf("round %d: web1 and web3 updated %s after the append; screen:\n%s", round+1, took.Round(time.Millisecond), screen)
	}
	tp.keys("q")
	tp.waitFor("the shell after q", 10*time.Second, func(s string) bool { return strings.Contains(s, "TOP-EXITED-0") })
}
