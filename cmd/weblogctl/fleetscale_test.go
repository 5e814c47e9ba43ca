package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/weblogctl/weblogctl/wire"
)

// maxFleetRSS is the most memory (peak RSS) weblogctl may use to follow 30
// hosts.
const maxFleetRSS = 64 << 20

// TestFleetFollowRSS: a built weblogctl following 30 embedded servers, with
// 100 lines appended to each, peaks at most at 64 MiB resident.
func TestFleetFollowRSS(t *testing.T) {
	hosts := aliases("web", 30)
	f := startFleet(t, hosts, fleetOptions{})
	bin := buildBin(t, "weblogctl")
	hwm, _ := followAndMeasure(t, bin, f.config, "web[01-30]", len(hosts), func() int {
		for _, h := range hosts {
			f.appendLog(t, h, genHostLines(h, 100, 100, 0, 1))
		}
		return 100 * len(hosts)
	})
	t.Logf("weblogctl following %d embedded servers: peak RSS %.1f MiB", len(hosts), float64(hwm)/(1<<20))
	if hwm > maxFleetRSS {
		t.Errorf("peak RSS %d bytes, want at most %d", hwm, maxFleetRSS)
	}
}

// followAndMeasure runs the weblogctl binary following n hosts named by
// pattern, waits until all follow, calls traffic (which returns how many
// lines it made the hosts log), waits for those lines and returns
// weblogctl's peak and current RSS (VmHWM, VmRSS).
func followAndMeasure(t testing.TB, bin, config, pattern string, n int, traffic func() int) (hwm, rss int64) {
	t.Helper()
	cmd := exec.Command(bin, "-v", "-F", config, "follow", "-n", "0", "--format", "json", "--log", "access", pattern)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	stderr := newStderrWatch()
	go io.Copy(stderr, errPipe)
	lines := readLines(stdout)
	stderr.waitCount(t, `: following "access"`, n, time.Duration(30+n/10)*time.Second)
	want := traffic()
	collect(t, lines, want, time.Duration(30+n/10)*time.Second)
	if s := stderr.String(); strings.Contains(s, "error") || strings.Contains(s, "warning") {
		t.Errorf("stderr:\n%s", s)
	}
	hwm, rss, err = procMem(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	return hwm, rss
}

// TestFleetScale: weblogctl following many hosts stays within
// fleetRSSLimit, and every line arrives; it measures for the README's
// design note. It follows 100 hosts, or the host counts that
// WEBLOG_FLEET_SCALE lists (e.g. 100,300,1000). Each real follow takes an inotify instance on the
// server side, and the user's limit (fs.inotify.max_user_instances,
// default 128) is shared by every process of the user, so these hosts are
// aliases of one stub SSH server in this process that speaks just enough
// of the protocol (ls, follow) without files: the client does exactly
// what it does against weblog-server.
func TestFleetScale(t *testing.T) {
	counts := os.Getenv("WEBLOG_FLEET_SCALE")
	if counts == "" {
		if testing.Short() {
			t.Skip("-short; set WEBLOG_FLEET_SCALE=100,300,1000 to measure")
		}
		counts = "100"
	}
	bin := buildBin(t, "weblogctl")
	for c := range strings.SplitSeq(counts, ",") {
		n, err := strconv.Atoi(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(c, func(t *testing.T) {
			stub := startStub(t)
			hwm, rss := followAndMeasure(t, bin, stub.config, fmt.Sprintf("h[%05d-%05d]", 1, n), n, func() int {
				stub.send(3) // three lines to every follower
				return 3 * n
			})
			t.Logf("weblogctl following %d hosts: peak RSS %.1f MiB, now %.1f MiB", n, float64(hwm)/(1<<20), float64(rss)/(1<<20))
			if limit := fleetRSSLimit(n); hwm > limit {
				t.Errorf("peak RSS %.1f MiB following %d hosts, want at most %.1f MiB", float64(hwm)/(1<<20), n, float64(limit)/(1<<20))
			}
		})
	}
}

// fleetRSSLimit is the most peak RSS weblogctl may use to follow n hosts:
// the README measures ~12 MiB plus ~140 KiB per host; this allows 16 MiB
// plus 256 KiB per host (the per-host frame buffer and channel state,
// with room for the garbage collector's slack).
func fleetRSSLimit(n int) int64 { return 16<<20 + int64(n)*256<<10 }

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
	pub, err := writeClientKey(filepath.Join(dir, "id_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostKey, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
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
	conf := fmt.Sprintf(`Host h*
  HostName 127.0.0.1
  Port %s
  User test
  IdentityFile %[2]s/id_ed25519
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile %[2]s/known_hosts
  GlobalKnownHostsFile none
  StrictHostKeyChecking yes
  BatchMode yes
`, port, dir)
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
		fw.WriteJSON(wire.FrameOpen, wire.Open{Log: "access", ID: "1:1:0:e3b0", Reason: "start"})
		lines := make(chan int, 1)
		s.mu.Lock()
		s.subs[lines] = true
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.subs, lines)
			s.mu.Unlock()
		}()
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
