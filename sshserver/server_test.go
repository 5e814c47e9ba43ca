package sshserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
)

func TestExecCatIsByteIdentical(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Output("cat access")
	if err != nil {
		t.Fatalf("cat access: %v", err)
	}
	if !bytes.Equal(out, testLog) {
		t.Errorf("cat access: got %d bytes, want the log's %d", len(out), len(testLog))
	}
	ts.log.waitFor(t, "exec", `"cat access"`)
	ts.log.waitFor(t, "exit 0")
}

func TestExecErrorStatus(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.dial(t)
	tests := []struct {
		cmd    string
		status int
		stderr string
	}{
		{"cat nosuch", 3, "no such log, or not allowed"},
		{"cat /etc/passwd", 2, "not a path"},
		{"sh -c id", 2, "unknown verb"},
		{"", 2, "empty request"},
	}
	for _, tt := range tests {
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		s.Stdout, s.Stderr = &stdout, &stderr
		err = s.Run(tt.cmd)
		if got := exitStatus(err); got != tt.status || stdout.Len() != 0 || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("exec %q: status %d (%v), stdout %q, stderr %q; want status %d and %q on stderr", tt.cmd, got, err, stdout.String(), stderr.String(), tt.status, tt.stderr)
		}
	}
}

func TestSubsystemStreamMode(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	// Session.RequestSubsystem does not start Session's copying: use
	// the pipes, as package client does.
	stdin, err := s.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestSubsystem("weblog"); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "cat access\nversion\n")
	stdin.Close()
	got, err := io.ReadAll(stdout)
	if err != nil {
		t.Fatal(err)
	}
	want := string(testLog) + "weblog-server test protocol 1\n"
	if string(got) != want {
		t.Errorf("subsystem output:\n%q\nwant:\n%q", got, want)
	}
	ts.log.waitFor(t, ".1 exit 0")
}

func TestShellFollowsFirstLog(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	want := lastLines(testLog, 10)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(stdout, got); err != nil {
		t.Fatalf("read: %v (got %q)", err, got)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("shell printed:\n%q\nwant the last 10 lines raw:\n%q", got, want)
	}
	// Then it follows.
	more := []byte("198.51.100.7 - - [10/Oct/2025:13:56:00 +0000] \"GET /new HTTP/1.1\" 404 0 \"-\" \"curl/8\"\n")
	ts.log.waitFor(t, "shell")
	appendFile(t, ts.logFile, more)
	got = make([]byte, len(more))
	if _, err := io.ReadFull(stdout, got); err != nil || !bytes.Equal(got, more) {
		t.Errorf("after append: read %q, %v; want %q", got, err, more)
	}
	// The client leaving ends the follow at once.
	c.Close()
	ts.log.waitFor(t, ".1 exit 0")
}

func TestShellWithPTY(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	s.Stderr = &stderr
	stdin, err := s.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm-256color", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	want := string(lastLines(testLog, 10))
	want = strings.ReplaceAll(want, "\n", "\r\n")
	want = strings.ReplaceAll(want, "\x1b", `\x1B`)
	want = strings.ReplaceAll(want, "\x07", `\x07`)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(stdout, got); err != nil {
		t.Fatalf("read: %v (got %q)", err, got)
	}
	if string(got) != want {
		t.Errorf("shell with pty printed:\n%q\nwant CR LF and escaped controls:\n%q", got, want)
	}
	// q ends it, with status 0.
	if _, err := stdin.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); err != nil {
		t.Errorf("after q: %v", err)
	}
	if !strings.Contains(stderr.String(), "following access") || !strings.HasSuffix(stderr.String(), "\r\n") {
		t.Errorf("stderr %q: want the hint, with CR LF", stderr.String())
	}
}

func TestRestrictedKeyGetsNoPTY(t *testing.T) {
	ts := startServer(t, nil)
	writeFile(t, filepath.Join(ts.dir, "authorized_keys"), append([]byte("restrict "), ssh.MarshalAuthorizedKey(ts.key.PublicKey())...), 0o600)
	c := ts.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err == nil {
		t.Error("pty-req accepted for a restrict key")
	}
	out, err := s.Output("cat access")
	if err != nil || !bytes.Equal(out, testLog) {
		t.Errorf("cat access after a refused pty: %v, %d bytes", err, len(out))
	}
}

func TestUnknownKeyRefused(t *testing.T) {
	ts := startServer(t, nil)
	other, _ := newClientKey(t, t.TempDir(), "other")
	_, err := ssh.Dial("tcp", ts.addr, ts.clientConfig("alice", ssh.PublicKeys(other)))
	if err == nil {
		t.Fatal("an unknown key logged in")
	}
	ts.log.waitFor(t, "login attempt", ssh.FingerprintSHA256(other.PublicKey()), "not in authorized keys")
	ts.log.waitFor(t, "closed before login")
}

func TestAuthorizedKeysReread(t *testing.T) {
	ts := startServer(t, nil)
	ts.dial(t)
	other, _ := newClientKey(t, t.TempDir(), "other")
	writeFile(t, filepath.Join(ts.dir, "authorized_keys"), ssh.MarshalAuthorizedKey(other.PublicKey()), 0o600)
	if _, err := ssh.Dial("tcp", ts.addr, ts.clientConfig("alice")); err == nil {
		t.Error("a key removed from authorized_keys still logs in")
	}
	c, err := ssh.Dial("tcp", ts.addr, ts.clientConfig("alice", ssh.PublicKeys(other)))
	if err != nil {
		t.Fatalf("a key added to authorized_keys: %v", err)
	}
	c.Close()
}

func TestPasswordLogin(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret pass"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, func(cfg *Config) {
		path := filepath.Join(filepath.Dir(cfg.HostKeyFile), "passwords")
		writeFile(t, path, []byte("# demo users\nbob:"+string(hash)+"\n"), 0o600)
		cfg.PasswordFile = path
	})
	tests := []struct {
		user, password string
		ok             bool
	}{
		{"bob", "s3cret pass", true},
		{"bob", "s3cret", false},
		{"carol", "s3cret pass", false},
	}
	for _, tt := range tests {
		c, err := ssh.Dial("tcp", ts.addr, ts.clientConfig(tt.user, ssh.Password(tt.password)))
		if (err == nil) != tt.ok {
			t.Errorf("password login %s/%s: err %v, want ok=%v", tt.user, tt.password, err, tt.ok)
		}
		if err == nil {
			c.Close()
		}
	}
	ts.log.waitFor(t, `login user="bob" method=password`)
}

func TestForwardingRefused(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.dial(t)

	// ssh -L / -D / -W: a direct-tcpip channel, here to a listener that
	// must never see a connection.
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan error, 1)
	go func() {
		conn, err := target.Accept()
		if err == nil {
			conn.Close()
			err = errors.New("the target was connected to")
		} else {
			err = nil
		}
		accepted <- err
	}()
	_, err = c.Dial("tcp", target.Addr().String())
	var oce *ssh.OpenChannelError
	if !errors.As(err, &oce) || oce.Reason != ssh.Prohibited {
		t.Errorf("direct-tcpip: %v, want administratively prohibited", err)
	}
	ts.log.waitFor(t, `refused channel "direct-tcpip"`)
	target.Close()
	if err := <-accepted; err != nil {
		t.Error(err)
	}

	// ssh -R: tcpip-forward.
	if l, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		l.Close()
		t.Error("tcpip-forward accepted")
	}
	ts.log.waitFor(t, `refused global request "tcpip-forward"`)

	// -A, -X, -w and unknown channel types.
	for _, typ := range []string{"auth-agent@openssh.com", "x11", "tun@openssh.com", "direct-streamlocal@openssh.com", "bogus\n2025 #1 login"} {
		ch, _, err := c.OpenChannel(typ, nil)
		if err == nil {
			ch.Close()
			t.Errorf("channel %q accepted", typ)
		}
	}
	ts.log.waitFor(t, `refused channel "bogus\n2025 #1 login": unknown type`)

	// Unknown global requests get a failure reply; so does a keepalive,
	// as from sshd.
	for _, typ := range []string{"bogus@example.com", "streamlocal-forward@openssh.com", "keepalive@openssh.com"} {
		ok, _, err := c.SendRequest(typ, true, nil)
		if ok || err != nil {
			t.Errorf("global request %q: ok=%v err=%v, want a failure reply", typ, ok, err)
		}
	}

	// The connection still works.
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := s.Output("cat access"); err != nil || !bytes.Equal(out, testLog) {
		t.Errorf("cat after refusals: %v", err)
	}
}

func TestSessionRequestsRefused(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"auth-agent-req@openssh.com", "x11-req", "signal", "bogus"} {
		if ok, err := s.SendRequest(typ, true, nil); ok || err != nil {
			t.Errorf("session request %q: ok=%v err=%v, want refused", typ, ok, err)
		}
	}
	if err := s.Setenv("LD_PRELOAD", "/tmp/x.so"); err == nil {
		t.Error("env accepted")
	}
	if err := s.RequestSubsystem("sftp"); err == nil {
		t.Error("subsystem sftp accepted")
	}
	ts.log.waitFor(t, `subsystem "sftp": unknown`)
	ts.log.waitFor(t, `session request "auth-agent-req@openssh.com"`)
	// A second request on a session that runs one is refused.
	s2, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.StdoutPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s2.Start("follow access"); err != nil {
		t.Fatal(err)
	}
	ok, err := s2.SendRequest("exec", true, ssh.Marshal(struct{ Command string }{"cat access"}))
	if ok || err != nil {
		t.Errorf("second exec on a session: ok=%v err=%v", ok, err)
	}
}

func TestLimits(t *testing.T) {
	ts := startServer(t, func(cfg *Config) {
		cfg.Limits = Limits{MaxSessions: 2, MaxUnauthenticated: 1}
	})
	c := ts.dial(t)
	for i := range 2 {
		s, err := c.NewSession()
		if err != nil {
			t.Fatalf("session %d: %v", i+1, err)
		}
		defer s.Close()
	}
	if s, err := c.NewSession(); err == nil {
		s.Close()
		t.Error("a third session opened with MaxSessions 2")
	}
	ts.log.waitFor(t, "refused session: 2 sessions already open")

	// A connection that never says a word holds the only
	// unauthenticated place: the next one is dropped at once.
	idle, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	id := strings.Fields(ts.log.waitFor(t, "connect from", idle.LocalAddr().String()))[1]
	if _, err := ssh.Dial("tcp", ts.addr, ts.clientConfig("alice")); err == nil {
		t.Error("a connection got in past MaxUnauthenticated")
	}
	ts.log.waitFor(t, "dropped: 1 connections already logging in")
	idle.Close()
	ts.log.waitFor(t, id, "closed before login")
	c2, err := ssh.Dial("tcp", ts.addr, ts.clientConfig("alice"))
	if err != nil {
		t.Fatalf("after the idle connection left: %v", err)
	}
	c2.Close()
}

func TestHandshakeTimeout(t *testing.T) {
	ts := startServer(t, func(cfg *Config) {
		cfg.Limits.HandshakeTimeout = 50 * 1e6 // 50ms
	})
	idle, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	// The server sends its version, then hangs up.
	b, _ := io.ReadAll(idle)
	if !strings.HasPrefix(string(b), ServerVersion+"\r\n") {
		t.Errorf("server sent %q", b)
	}
	ts.log.waitFor(t, "closed before login", "timeout")
}

func TestKeepaliveDropsSilentClient(t *testing.T) {
	ts := startServer(t, func(cfg *Config) {
		cfg.Limits.KeepaliveInterval = 20 * 1e6 // 20ms
		cfg.Limits.KeepaliveCountMax = 2
	})
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	// Never reading reqs stalls the connection: no reply to keepalives.
	conn, _, _, err := ssh.NewClientConn(nc, ts.addr, ts.clientConfig("alice"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ts.log.waitFor(t, "no answer to keepalives")
	ts.log.waitFor(t, "disconnect after")
}

func TestShutdownEndsFollow(t *testing.T) {
	ts := startServer(t, nil)
	c := ts.dial(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("follow -n 1 access"); err != nil {
		t.Fatal(err)
	}
	want := lastLines(testLog, 1)
	got := make([]byte, len(want))
	if _, err := io.ReadFull(stdout, got); err != nil {
		t.Fatal(err)
	}
	ts.cancel()
	if err := s.Wait(); err != nil {
		t.Errorf("follow at shutdown: %v, want exit status 0", err)
	}
	if err := <-ts.served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	ts.served <- nil // for the cleanup
	ts.log.waitFor(t, "disconnect after", "server shutting down")
}

func TestLogCannotBeForged(t *testing.T) {
	ts := startServer(t, nil)
	evil := "mallory\n2099-01-01T00:00:00.000Z #99 login user=\"root\""
	c, err := ssh.Dial("tcp", ts.addr, ts.clientConfig(evil))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s.Run("cat\r\n2099 #99 \x1b[2J access")
	s, err = c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	s.Run(strings.Repeat("cat ", 50000))
	c.Close()
	ts.log.waitFor(t, "disconnect after")
	for _, line := range strings.Split(ts.log.String(), "\n") {
		if strings.HasPrefix(line, "2099") || strings.ContainsAny(line, "\r\x1b") {
			t.Errorf("forged or raw log line %q", line)
		}
		if len(line) > 1000 {
			t.Errorf("log line of %d bytes: %.100q…", len(line), line)
		}
	}
	ts.log.waitFor(t, `user="mallory\n2099-01-01T00:00:00.000Z #99 login user=\"root\""`)
}

func TestOnlyModernAlgorithms(t *testing.T) {
	ts := startServer(t, nil)
	tests := []struct {
		name string
		edit func(*ssh.ClientConfig)
		ok   bool
	}{
		{"aes128-gcm", func(c *ssh.ClientConfig) { c.Ciphers = []string{ssh.CipherAES128GCM} }, true},
		// Offered only where the CPU has no AES instructions.
		{"chacha20", func(c *ssh.ClientConfig) { c.Ciphers = []string{ssh.CipherChaCha20Poly1305} }, !hasAESHardware},
		{"mlkem", func(c *ssh.ClientConfig) { c.KeyExchanges = []string{ssh.KeyExchangeMLKEM768X25519} }, true},
		{"aes-ctr", func(c *ssh.ClientConfig) {
			c.Ciphers = []string{ssh.CipherAES128CTR}
			c.MACs = []string{ssh.HMACSHA256ETM}
		}, false},
		{"nist kex", func(c *ssh.ClientConfig) { c.KeyExchanges = []string{ssh.KeyExchangeECDHP256} }, false},
		{"dh14-sha1", func(c *ssh.ClientConfig) { c.KeyExchanges = []string{ssh.InsecureKeyExchangeDH14SHA1} }, false},
		{"rsa host key", func(c *ssh.ClientConfig) { c.HostKeyAlgorithms = []string{ssh.KeyAlgoRSASHA256} }, false},
	}
	for _, tt := range tests {
		cfg := ts.clientConfig("alice")
		tt.edit(cfg)
		c, err := ssh.Dial("tcp", ts.addr, cfg)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err == nil {
			c.Close()
		}
	}
}

func TestServeReturnsWhenContextEnds(t *testing.T) {
	ts := startServer(t, nil)
	ts.dial(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A second Serve on a fresh listener with a dead context returns nil.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Serve(ctx, l); err != nil {
		t.Errorf("Serve with a cancelled context: %v", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Error("listener still open after Serve returned")
	}
}

func ExampleServer_Serve() {
	// A server for the log in /var/log/nginx/access.log, on loopback.
	_ = func(ctx context.Context, cfg Config) error {
		srv, err := New(cfg)
		if err != nil {
			return err
		}
		l, err := net.Listen("tcp", "127.0.0.1:2222")
		if err != nil {
			return err
		}
		fmt.Println("host key", ssh.FingerprintSHA256(srv.HostKey()))
		return srv.Serve(ctx, l) // until ctx ends
	}
}
