package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/sshserver"
	"github.com/weblogctl/weblogctl/subsystem"
	"github.com/weblogctl/weblogctl/wire"
)

// testFleet is a fleet of weblog-server's embedded SSH servers on
// 127.0.0.1, all in the test process, each serving its own log as
// "access", and an ssh_config naming each by its alias.
type testFleet struct {
	dir    string
	config string            // ssh_config with one alias per server
	logs   map[string]string // alias -> its log file
	addrs  map[string]string // alias -> 127.0.0.1:PORT
}

// fleetOptions adjust startFleet.
type fleetOptions struct {
	// logs gives the initial content of a host's log; nil: 10 lines.
	logs func(host string) []byte
	// listen wraps a server's listener (e.g. to refuse some peers).
	listen func(net.Listener) net.Listener
	// extraConfig is added to the ssh_config before the Host * block.
	extraConfig string
}

// clientKey writes the client's key, dir/id_ed25519, and an
// authorized_keys file beside it that lets the key in; it returns that
// file's path.
func clientKey(t testing.TB, dir string) string {
	t.Helper()
	pub, err := sshdtest.WriteKey(filepath.Join(dir, "id_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	authKeys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authKeys, ssh.MarshalAuthorizedKey(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	return authKeys
}

// startFleet starts one embedded server per alias. Aliases named "dead…"
// get a port nothing listens on.
func startFleet(t testing.TB, aliases []string, opt fleetOptions) *testFleet {
	t.Helper()
	dir := t.TempDir()
	f := &testFleet{dir: dir, logs: map[string]string{}, addrs: map[string]string{}}
	authKeys := clientKey(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	var cfg, known strings.Builder
	for _, alias := range aliases {
		if strings.HasPrefix(alias, "dead") {
			f.addrs[alias] = deadAddr(t)
		} else {
			hostDir := filepath.Join(dir, "srv", alias)
			if err := os.MkdirAll(hostDir, 0o700); err != nil {
				t.Fatal(err)
			}
			log := filepath.Join(hostDir, "access.log")
			content := genHostLog(alias, 10)
			if opt.logs != nil {
				content = opt.logs(alias)
			}
			if err := os.WriteFile(log, content, 0o644); err != nil {
				t.Fatal(err)
			}
			f.logs[alias] = log
			sub, err := subsystem.New(&policy.Profile{Name: "test", Logs: []policy.Log{{Name: "access", Path: log}}}, subsystem.Options{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := sshserver.New(sshserver.Config{
				HostKeyFile:        filepath.Join(hostDir, "host_key"),
				AuthorizedKeysFile: authKeys,
				Subsystem:          sub,
			})
			if err != nil {
				t.Fatal(err)
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			f.addrs[alias] = l.Addr().String()
			known.WriteString(knownhosts.Line([]string{knownhosts.Normalize(l.Addr().String())}, srv.HostKey()) + "\n")
			if opt.listen != nil {
				l = opt.listen(l)
			}
			wg.Go(func() { srv.Serve(ctx, l) })
		}
		_, port, _ := net.SplitHostPort(f.addrs[alias])
		fmt.Fprintf(&cfg, "Host %s\n  HostName 127.0.0.1\n  Port %s\n", alias, port)
	}
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(known.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.WriteString(opt.extraConfig)
	cfg.WriteString("Host *\n" + clientConfig(dir) + "  ConnectTimeout 10\n")
	f.config = filepath.Join(dir, "ssh_config")
	if err := os.WriteFile(f.config, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// genHostLog returns n combined-format lines that name host in their
// path (/HOST/page/I), one request per second from 10:00:00.
func genHostLog(host string, n int) []byte {
	return genHostLines(host, 0, n, 0, 1)
}

// genHostLines returns n lines numbered from first, line i logged at
// 10:00:00 + start + i*step seconds.
func genHostLines(host string, first, n, start, step int) []byte {
	var b bytes.Buffer
	for i := first; i < first+n; i++ {
		s := start + i*step
		fmt.Fprintf(&b, "192.0.2.%d - - [17/May/2015:%02d:%02d:%02d +0000] \"GET /%s/page/%d HTTP/1.1\" 200 %d \"-\" \"fleet-test\"\n",
			i%250+1, 10+s/3600, s/60%60, s%60, host, i, 100+i)
	}
	return b.Bytes()
}

// appendLog appends b to the log of host.
func (f *testFleet) appendLog(t testing.TB, host string, b []byte) {
	t.Helper()
	fh, err := os.OpenFile(f.logs[host], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.Write(b); err != nil {
		t.Fatal(err)
	}
}

// weblogctl runs weblogctl in-process with args and returns its exit
// status, stdout and stderr.
func runWeblogctl(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"weblogctl"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// stderrWatch is a stderr for weblogctl that tests can wait on.
type stderrWatch struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every Write
}

func newStderrWatch() *stderrWatch { return &stderrWatch{changed: make(chan struct{})} }

func (w *stderrWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	return len(p), nil
}

func (w *stderrWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitCount waits until stderr holds n lines containing s.
func (w *stderrWatch) waitCount(t testing.TB, s string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		got := strings.Count(w.buf.String(), s)
		changed := w.changed
		w.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("stderr has %d lines with %q after %v, want %d:\n%s", got, s, timeout, n, w)
		}
	}
}

// readLines reads lines from r into a channel, closed at the end.
func readLines(r io.Reader) <-chan string {
	ch := make(chan string, 1024)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// collect reads n lines from ch, failing after timeout.
func collect(t testing.TB, ch <-chan string, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var lines []string
	for len(lines) < n {
		select {
		case l, ok := <-ch:
			if !ok {
				t.Fatalf("output ended after %d lines, want %d", len(lines), n)
			}
			lines = append(lines, l)
		case <-deadline.C:
			t.Fatalf("%d lines after %v, want %d", len(lines), timeout, n)
		}
	}
	return lines
}

// aliases returns prefix01 … prefixNN.
func aliases(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + fmt.Sprintf("%02d", i+1)
	}
	return out
}

// procMem returns the peak and current resident set size of process
// pid (VmHWM, VmRSS), in bytes.
func procMem(pid int) (hwm, rss int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	kb := func(v string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		return n << 10
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			hwm = kb(v)
		}
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss = kb(v)
		}
	}
	if hwm == 0 {
		return 0, 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
	}
	return hwm, rss, nil
}

// stubServer answers `ls` and `follow` of the weblog protocol over SSH
// for every alias h* in its ssh_config, without files.
type stubServer struct {
	config string
	mu     sync.Mutex
	subs   map[chan int]bool // followers; each is told how many lines to send
}

func startStub(t testing.TB) *stubServer {
	t.Helper()
	dir := t.TempDir()
	pub, err := sshdtest.WriteKey(filepath.Join(dir, "id_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	hostKey := stubHostKey(t)
	want := string(pub.Marshal())
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
		if string(k.Marshal()) != want {
			return nil, fmt.Errorf("unknown key")
		}
		return nil, nil
	}}
	cfg.AddHostKey(hostKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &stubServer{subs: map[chan int]bool{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		l.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serveConn(ctx, c, cfg) })
		}
	})
	known := knownhosts.Line([]string{knownhosts.Normalize(l.Addr().String())}, hostKey.PublicKey()) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(known), 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	s.config = filepath.Join(dir, "ssh_config")
	conf := fmt.Sprintf("Host h*\n  HostName 127.0.0.1\n  Port %s\n", port) + clientConfig(dir)
	if err := os.WriteFile(s.config, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// send makes every follower send n lines.
func (s *stubServer) send(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		ch <- n
	}
}

func (s *stubServer) serveConn(ctx context.Context, nc net.Conn, cfg *ssh.ServerConfig) {
	defer nc.Close()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	_, chans, reqs, err := ssh.NewServerConn(nc, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "no")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer ch.Close()
			for req := range creqs {
				ok := req.Type == "subsystem" && len(req.Payload) > 4 && string(req.Payload[4:]) == "weblog"
				req.Reply(ok, nil)
				if ok {
					go ssh.DiscardRequests(creqs)
					s.serveSession(ch)
					ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
					return
				}
			}
		}()
	}
}

// serveSession answers one request line on ch.
func (s *stubServer) serveSession(ch ssh.Channel) {
	line := make([]byte, 0, 256)
	buf := make([]byte, 1)
	for len(line) < wire.MaxRequest {
		if _, err := ch.Read(buf); err != nil {
			return
		}
		if buf[0] == '\n' {
			break
		}
		line = append(line, buf[0])
	}
	req, err := wire.ParseRequest(string(line))
	fw := wire.NewFrameWriter(ch)
	if err != nil {
		fw.WriteJSON(wire.FrameError, wire.ErrorPayload{Status: wire.StatusUsage, Message: err.Error()})
		return
	}
	switch req.Verb {
	case wire.VerbLs:
		fw.WriteJSON(wire.FrameMeta, wire.Listing{Logs: []wire.LogInfo{{Name: "access", Size: 0}}})
		fw.WriteJSON(wire.FrameEnd, wire.End{})
	case wire.VerbFollow:
		// Subscribed before the Open frame, which tells the test (through
		// weblogctl -v) that this follower will get the lines it sends.
		lines := make(chan int, 1)
		s.mu.Lock()
		s.subs[lines] = true
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.subs, lines)
			s.mu.Unlock()
		}()
		fw.WriteJSON(wire.FrameOpen, wire.Open{Log: "access", ID: "1:1:0:e3b0", Reason: "start"})
		gone := make(chan struct{})
		go func() { io.Copy(io.Discard, ch); close(gone) }() // the client closes its side to leave
		hb := time.NewTicker(max(req.Heartbeat, wire.MinHeartbeat))
		defer hb.Stop()
		var off int64
		for {
			select {
			case n := <-lines:
				for range n {
					b := fmt.Appendf(nil, "192.0.2.1 - - [%s] \"GET /stub/%d HTTP/1.1\" 200 1 \"-\" \"stub\"\n", time.Now().Format("02/Jan/2006:15:04:05 -0700"), off)
					if fw.WriteData(off, b) != nil {
						return
					}
					off += int64(len(b))
				}
			case <-hb.C:
				if fw.WriteFrame(wire.FrameHeartbeat, nil) != nil {
					return
				}
			case <-gone:
				return
			}
		}
	default:
		fw.WriteJSON(wire.FrameError, wire.ErrorPayload{Status: wire.StatusUsage, Message: "stub: unsupported"})
	}
}

// stubHostKey makes a host key.
func stubHostKey(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader) // crypto/rand does not fail
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

// clientConfig is the ssh_config body of a test fleet's hosts: user test
// with the key and known_hosts in dir, nothing else (no agent, no
// prompts).
func clientConfig(dir string) string {
	return fmt.Sprintf(`  User test
  IdentityFile %[1]s/id_ed25519
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile %[1]s/known_hosts
  GlobalKnownHostsFile none
  StrictHostKeyChecking yes
  BatchMode yes
`, dir)
}
