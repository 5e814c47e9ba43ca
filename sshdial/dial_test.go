package sshdial

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
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
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// The Dial tests run real SSH servers (golang.org/x/crypto/ssh) on
// 127.0.0.1 in-process. Helpers are prefixed "dt" to stay out of the way of
// the package's other tests.

// dtServer is an in-process SSH server.
type dtServer struct {
	name     string
	addr     string // 127.0.0.1:port
	port     int
	hostKeys []ssh.Signer

	mu       sync.Mutex
	offered  []string // fingerprints of the public keys clients offered
	users    []string // users who logged in
	forwards []string // direct-tcpip destinations opened
	conns    []net.Conn
	closed   bool
}

type dtServerOptions struct {
	hostKeys   []ssh.Signer // default: a new ED25519 key
	authorized []ssh.PublicKey
	password   string // "" disables password authentication
	kbdAnswer  string // "" disables keyboard-interactive
	forward    bool   // serve direct-tcpip, as a jump host
	rekeyBytes uint64 // re-key that often (0: x/crypto's default)
}

func dtStartServer(t *testing.T, name string, o dtServerOptions) *dtServer {
	t.Helper()
	if len(o.hostKeys) == 0 {
		o.hostKeys = []ssh.Signer{dtSigner(t, dtNewKey(t))}
	}
	s := &dtServer{name: name, hostKeys: o.hostKeys}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.offered = append(s.offered, ssh.FingerprintSHA256(key))
			for _, a := range o.authorized {
				if bytes.Equal(a.Marshal(), key.Marshal()) {
					return &ssh.Permissions{}, nil
				}
			}
			return nil, errors.New("key not authorized")
		},
	}
	if o.password != "" {
		cfg.PasswordCallback = func(_ ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if string(pw) == o.password {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong password")
		}
	}
	if o.kbdAnswer != "" {
		cfg.KeyboardInteractiveCallback = func(_ ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			ans, err := ask("weblog test", "Answer the \x1b[31mquestion\x1b[0m.", []string{"Code: "}, []bool{false})
			if err == nil && len(ans) == 1 && ans[0] == o.kbdAnswer {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong answer")
		}
	}
	cfg.RekeyThreshold = o.rekeyBytes
	for _, k := range o.hostKeys {
		cfg.AddHostKey(k)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.port = ln.Addr().(*net.TCPAddr).Port
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			if s.closed {
				c.Close()
			}
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(c, cfg, o.forward, &wg)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		s.closed = true
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		wg.Wait()
	})
	return s
}

func (s *dtServer) serve(c net.Conn, cfg *ssh.ServerConfig, forward bool, wg *sync.WaitGroup) {
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		c.Close()
		return
	}
	defer sc.Close()
	s.mu.Lock()
	s.users = append(s.users, sc.User())
	s.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		ssh.DiscardRequests(reqs)
	}()
	for nc := range chans {
		switch nc.ChannelType() {
		case "session":
			ch, creqs, err := nc.Accept()
			if err != nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.session(ch, creqs, sc.User())
			}()
		case "direct-tcpip":
			if !forward {
				nc.Reject(ssh.Prohibited, "no forwarding here")
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.forward(nc)
			}()
		default:
			nc.Reject(ssh.UnknownChannelType, "unknown channel type")
		}
	}
}

// session answers "exec" with a greeting naming the server and the user,
// or 64 KiB of data for the command "big".
func (s *dtServer) session(ch ssh.Channel, reqs <-chan *ssh.Request, user string) {
	defer ch.Close()
	for req := range reqs {
		var cmd struct{ Command string }
		if req.Type != "exec" || ssh.Unmarshal(req.Payload, &cmd) != nil {
			req.Reply(false, nil)
			continue
		}
		req.Reply(true, nil)
		if cmd.Command == "big" {
			ch.Write(bytes.Repeat([]byte("x"), 64<<10))
		} else {
			fmt.Fprintf(ch, "%s: hello %s\n", s.name, user)
		}
		ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
		return
	}
}

// forward serves a direct-tcpip channel (RFC 4254 7.2), as sshd does for
// ProxyJump.
func (s *dtServer) forward(nc ssh.NewChannel) {
	var p struct {
		Host     string
		Port     uint32
		OrigHost string
		OrigPort uint32
	}
	if err := ssh.Unmarshal(nc.ExtraData(), &p); err != nil {
		nc.Reject(ssh.ConnectionFailed, "bad direct-tcpip request")
		return
	}
	dest := net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port)))
	s.mu.Lock()
	s.forwards = append(s.forwards, dest)
	s.mu.Unlock()
	out, err := net.Dial("tcp", dest)
	if err != nil {
		nc.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nc.Accept()
	if err != nil {
		out.Close()
		return
	}
	go ssh.DiscardRequests(reqs)
	done := make(chan struct{})
	go func() {
		io.Copy(ch, out)
		ch.Close()
		out.Close()
		close(done)
	}()
	io.Copy(out, ch)
	out.Close()
	ch.Close()
	<-done
}

func (s *dtServer) stats() (offered, users, forwards []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.offered...), append([]string(nil), s.users...), append([]string(nil), s.forwards...)
}

// knownName is the server's name in known_hosts: "[127.0.0.1]:port".
func (s *dtServer) knownName() string { return knownhosts.Normalize(s.addr) }

func dtNewKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func dtSigner(t *testing.T, k crypto.PrivateKey) ssh.Signer {
	t.Helper()
	s, err := ssh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dtPub(t *testing.T, k crypto.PrivateKey) ssh.PublicKey {
	t.Helper()
	return dtSigner(t, k).PublicKey()
}

// dtWriteKey writes k as an OpenSSH private key file (0600), encrypted
// when passphrase is not empty.
func dtWriteKey(t *testing.T, path string, k crypto.PrivateKey, passphrase string) {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(k, "test key")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(k, "test key", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
}

// dtLockedBuffer is a goroutine-safe buffer for Stderr and Debug.
type dtLockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *dtLockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *dtLockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// dtEnv is a private HOME with an ~/.ssh directory; no real ~/.ssh, agent
// or system file is ever used.
type dtEnv struct {
	home       string
	sshDir     string
	config     string // ~/.ssh/config
	knownHosts string // ~/.ssh/known_hosts
	stderr     *dtLockedBuffer
	debug      *dtLockedBuffer
}

func dtNewEnv(t *testing.T) *dtEnv {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	e := &dtEnv{
		home:       home,
		sshDir:     filepath.Join(home, ".ssh"),
		config:     filepath.Join(home, ".ssh", "config"),
		knownHosts: filepath.Join(home, ".ssh", "known_hosts"),
		stderr:     &dtLockedBuffer{},
		debug:      &dtLockedBuffer{},
	}
	if err := os.Mkdir(e.sshDir, 0o700); err != nil {
		t.Fatal(err)
	}
	e.writeConfig(t, "")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stderr:\n%s\ndebug:\n%s", e.stderr, e.debug)
		}
	})
	return e
}

// writeConfig writes ~/.ssh/config: body, then defaults that keep the
// system's known_hosts out of the tests.
func (e *dtEnv) writeConfig(t *testing.T, body string) {
	t.Helper()
	body += "\nHost *\n  GlobalKnownHostsFile none\n"
	if err := os.WriteFile(e.config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// hostBlock is an ssh_config block that makes alias reach s as alice.
func dtHostBlock(alias string, s *dtServer, extra ...string) string {
	b := fmt.Sprintf("Host %s\n  HostName 127.0.0.1\n  Port %d\n  User alice\n", alias, s.port)
	for _, x := range extra {
		b += "  " + x + "\n"
	}
	return b
}

// trust appends s's host keys to ~/.ssh/known_hosts.
func (e *dtEnv) trust(t *testing.T, s *dtServer) {
	t.Helper()
	for _, k := range s.hostKeys {
		e.addKnownHost(t, knownhosts.Line([]string{s.knownName()}, k.PublicKey()))
	}
}

func (e *dtEnv) addKnownHost(t *testing.T, line string) {
	t.Helper()
	f, err := os.OpenFile(e.knownHosts, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, line); err != nil {
		t.Fatal(err)
	}
}

// identity writes a new ED25519 identity file ~/.ssh/name and returns its
// key.
func (e *dtEnv) identity(t *testing.T, name, passphrase string) ed25519.PrivateKey {
	t.Helper()
	k := dtNewKey(t)
	dtWriteKey(t, filepath.Join(e.sshDir, name), k, passphrase)
	return k
}

func (e *dtEnv) dialConfig() Config {
	return Config{SystemConfigFile: "none", Stderr: e.stderr, Debug: e.debug}
}

// dtRun runs a command on c and returns its output.
func dtRun(t *testing.T, c *Conn) string {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Output("hello")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func dtDial(t *testing.T, host string, cfg Config) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), host, cfg)
	if err != nil {
		t.Fatalf("Dial(%q): %v", host, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dtPrompter is a scripted Prompter.
type dtPrompter struct {
	mu        sync.Mutex
	passwords []string // answers to Password, in order; then an error
	confirm   bool
	prompts   []string // every prompt shown, Password and Confirm
	confirms  int
}

func (p *dtPrompter) Password(prompt string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prompts = append(p.prompts, prompt)
	if len(p.passwords) == 0 {
		return "", errors.New("dtPrompter: no more answers")
	}
	a := p.passwords[0]
	p.passwords = p.passwords[1:]
	return a, nil
}

func (p *dtPrompter) Confirm(prompt string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prompts = append(p.prompts, prompt)
	p.confirms++
	return p.confirm, nil
}

func (p *dtPrompter) shown() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.prompts...)
}

func TestDialAlias(t *testing.T) {
	e := dtNewEnv(t)
	key := e.identity(t, "id_web1", "")
	s := dtStartServer(t, "web1", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}})
	e.writeConfig(t, dtHostBlock("web1", s, "IdentityFile ~/.ssh/id_web1"))
	e.trust(t, s)

	c := dtDial(t, "web1", e.dialConfig())
	if c.Host != "web1" || c.Addr != s.addr || c.User != "alice" {
		t.Errorf("Conn: Host %q Addr %q User %q, want web1 %s alice", c.Host, c.Addr, c.User, s.addr)
	}
	if got := dtRun(t, c); got != "web1: hello alice\n" {
		t.Errorf("output %q", got)
	}
	if e.stderr.String() != "" {
		t.Errorf("unexpected stderr: %q", e.stderr)
	}
}

func TestDialUserHostPort(t *testing.T) {
	e := dtNewEnv(t)
	key := e.identity(t, "id_ed25519", "") // a default identity file
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}})
	e.trust(t, s)

	for _, host := range []string{
		fmt.Sprintf("bob@127.0.0.1:%d", s.port),
		fmt.Sprintf("bob@[127.0.0.1]:%d", s.port),
		fmt.Sprintf("ssh://bob@127.0.0.1:%d", s.port),
	} {
		c := dtDial(t, host, e.dialConfig())
		if got := dtRun(t, c); got != "srv: hello bob\n" {
			t.Errorf("%s: output %q", host, got)
		}
	}
	// Config's User and Port win over the HOST argument.
	cfg := e.dialConfig()
	cfg.User, cfg.Port = "carol", s.port
	c := dtDial(t, "bob@127.0.0.1:1", cfg)
	if got := dtRun(t, c); got != "srv: hello carol\n" {
		t.Errorf("overrides: output %q", got)
	}
}

func TestDialProxyJump(t *testing.T) {
	e := dtNewEnv(t)
	key := e.identity(t, "id_ed25519", "")
	auth := []ssh.PublicKey{dtPub(t, key)}
	jump1 := dtStartServer(t, "jump1", dtServerOptions{authorized: auth, forward: true})
	jump2 := dtStartServer(t, "jump2", dtServerOptions{authorized: auth, forward: true})
	target := dtStartServer(t, "target", dtServerOptions{authorized: auth})
	e.writeConfig(t, dtHostBlock("target", target, "ProxyJump jump1")+
		dtHostBlock("far", target, "ProxyJump jump1,bob@jump2")+
		dtHostBlock("jump1", jump1)+
		dtHostBlock("jump2", jump2))
	e.trust(t, jump1)
	e.trust(t, jump2)
	e.trust(t, target)

	c := dtDial(t, "target", e.dialConfig())
	if got := dtRun(t, c); got != "target: hello alice\n" {
		t.Errorf("output %q", got)
	}
	if _, users, fw := jump1.stats(); len(fw) != 1 || fw[0] != target.addr || len(users) != 1 {
		t.Errorf("jump1: users %v, forwards %v; want one login and a forward to %s", users, fw, target.addr)
	}
	if len(c.jumps) != 1 {
		t.Fatalf("%d jump connections, want 1", len(c.jumps))
	}
	// Close closes the jump connection too.
	c.Close()
	waited := make(chan error, 1)
	go func() { waited <- c.jumps[0].Wait() }()
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("jump connection still open after Close")
	}

	// A chain: jump1, then jump2 reached through jump1, then the target.
	c = dtDial(t, "far", e.dialConfig())
	if got := dtRun(t, c); got != "target: hello alice\n" {
		t.Errorf("chain: output %q", got)
	}
	if _, _, fw := jump1.stats(); len(fw) != 2 || fw[1] != jump2.addr {
		t.Errorf("jump1 forwards %v, want the second to %s", fw, jump2.addr)
	}
	if _, users, fw := jump2.stats(); len(fw) != 1 || fw[0] != target.addr || users[0] != "bob" {
		t.Errorf("jump2: users %v forwards %v", users, fw)
	}

	// ProxyJump none from the command line connects directly.
	cfg := e.dialConfig()
	cfg.ProxyJump = "none"
	dtDial(t, "target", cfg)
	if _, _, fw := jump1.stats(); len(fw) != 2 {
		t.Errorf("ProxyJump none still used the jump host: %v", fw)
	}
}

func TestDialProxyJumpHostKeyChecked(t *testing.T) {
	e := dtNewEnv(t)
	key := e.identity(t, "id_ed25519", "")
	auth := []ssh.PublicKey{dtPub(t, key)}
	jump := dtStartServer(t, "jump", dtServerOptions{authorized: auth, forward: true})
	target := dtStartServer(t, "target", dtServerOptions{authorized: auth})
	e.writeConfig(t, dtHostBlock("target", target, "ProxyJump jump")+dtHostBlock("jump", jump))
	e.trust(t, target) // but not the jump host

	_, err := Dial(context.Background(), "target", e.dialConfig())
	if !errors.Is(err, ErrHostKeyUnknown) || !strings.Contains(err.Error(), "jump host jump") {
		t.Fatalf("Dial through an unknown jump host: %v", err)
	}
	if _, users, _ := target.stats(); len(users) != 0 {
		t.Errorf("the target was reached: %v", users)
	}

	// Now the jump host is known but the target's key changed.
	os.WriteFile(e.knownHosts, nil, 0o600)
	e.trust(t, jump)
	e.addKnownHost(t, knownhosts.Line([]string{target.knownName()}, dtPub(t, dtNewKey(t))))
	_, err = Dial(context.Background(), "target", e.dialConfig())
	if !errors.Is(err, ErrHostKeyChanged) {
		t.Fatalf("Dial to a changed target through a jump host: %v", err)
	}
}

func TestDialProxyJumpLoop(t *testing.T) {
	e := dtNewEnv(t)
	e.writeConfig(t, "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n")
	_, err := Dial(context.Background(), "a", e.dialConfig())
	if err == nil || !strings.Contains(err.Error(), "ProxyJump loop") {
		t.Fatalf("ProxyJump loop: %v", err)
	}
}

// dtSilentListener accepts TCP connections and never speaks SSH.
func dtSilentListener(t *testing.T) (addr string, accepted <-chan net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan net.Conn, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			ch <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		close(ch)
		for c := range ch {
			c.Close()
		}
	})
	return ln.Addr().String(), ch
}

func TestDialContextCancel(t *testing.T) {
	e := dtNewEnv(t)
	addr, accepted := dtSilentListener(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	server := make(chan net.Conn, 1)
	go func() {
		// Cancel once the TCP connection is up and the handshake waits
		// for a server that never answers.
		c := <-accepted
		cancel()
		server <- c
	}()
	_, err := Dial(ctx, addr, e.dialConfig())
	(<-server).Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Dial with a cancelled context: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "dial 127.0.0.1 ("+addr+"): ") {
		t.Errorf("error %q does not name the host", err)
	}
}

func TestDialConnectTimeout(t *testing.T) {
	e := dtNewEnv(t)
	addr, _ := dtSilentListener(t)
	_, port, _ := net.SplitHostPort(addr)
	e.writeConfig(t, "Host silent\n  HostName 127.0.0.1\n  Port "+port+"\n  ConnectTimeout 1\n")
	start := time.Now()
	_, err := Dial(context.Background(), "silent", e.dialConfig())
	if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "ConnectTimeout") {
		t.Fatalf("Dial to a silent server: %v", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
	if !strings.Contains(Hint(err), "in time") {
		t.Errorf("Hint(%v) = %q", err, Hint(err))
	}
}

func TestDialConnectionRefused(t *testing.T) {
	e := dtNewEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Dial(context.Background(), addr, e.dialConfig())
	if err == nil {
		t.Fatal("no error")
	}
	want := "dial 127.0.0.1 (" + addr + "): connect: "
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start with %q", err, want)
	}
	if !strings.Contains(Hint(err), "port") {
		t.Errorf("Hint(%v) = %q", err, Hint(err))
	}
}

func TestDialBadHost(t *testing.T) {
	e := dtNewEnv(t)
	for _, host := range []string{"", "-oProxyCommand=id", "web1:0", "a b"} {
		if _, err := Dial(context.Background(), host, e.dialConfig()); err == nil || !strings.HasPrefix(err.Error(), "dial: bad host") {
			t.Errorf("Dial(%q): %v", host, err)
		}
	}
}

func TestDialInsecureIgnoreHostKey(t *testing.T) {
	e := dtNewEnv(t)
	key := e.identity(t, "id_ed25519", "")
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}, password: "secret"})
	cfg := e.dialConfig()
	cfg.InsecureIgnoreHostKey = true
	c := dtDial(t, s.addr, cfg)
	dtRun(t, c)
	if !strings.Contains(e.stderr.String(), "NOT checking the host key") {
		t.Errorf("no loud warning; stderr %q", e.stderr)
	}
	if _, err := os.Stat(e.knownHosts); !os.IsNotExist(err) {
		t.Errorf("known_hosts was written: %v", err)
	}

	// Without a host key check, passwords are never sent.
	os.Remove(filepath.Join(e.sshDir, "id_ed25519"))
	p := &dtPrompter{passwords: []string{"secret"}}
	cfg.Prompter = p
	_, err := Dial(context.Background(), s.addr, cfg)
	if !errors.Is(err, ErrAuth) || len(p.shown()) != 0 {
		t.Errorf("InsecureIgnoreHostKey with a password server: %v, prompts %q", err, p.shown())
	}
}

// x/crypto checks the host key at every re-key: that must not warn or ask
// again.
func TestDialRekey(t *testing.T) {
	e := dtNewEnv(t)
	key := e.identity(t, "id_ed25519", "")
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}, rekeyBytes: 1024})
	for _, tt := range []struct {
		name    string
		extra   []string
		cfg     func(*Config)
		warning string
	}{
		{"insecure", nil, func(c *Config) { c.InsecureIgnoreHostKey = true }, "NOT checking the host key"},
		{"not saved", []string{"StrictHostKeyChecking accept-new", "UserKnownHostsFile none"}, func(*Config) {}, "accepted but not saved"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.writeConfig(t, dtHostBlock("srv", s, tt.extra...))
			e.stderr = &dtLockedBuffer{}
			cfg := e.dialConfig()
			tt.cfg(&cfg)
			c := dtDial(t, "srv", cfg)
			sess, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			out, err := sess.Output("big")
			if err != nil || len(out) != 64<<10 {
				t.Fatalf("big: %d bytes, %v", len(out), err)
			}
			if n := strings.Count(e.stderr.String(), tt.warning); n != 1 {
				t.Errorf("%d warnings:\n%s", n, e.stderr)
			}
		})
	}
}

func TestHandshakeTimer(t *testing.T) {
	var nilDog *handshakeTimer
	nilDog.pause()
	nilDog.resume()
	if nilDog.stop() || startHandshakeTimer(0, nil) != nil {
		t.Fatal("a nil handshakeTimer should do nothing")
	}

	fired := make(chan struct{})
	w := startHandshakeTimer(time.Millisecond, func() { close(fired) })
	<-fired
	if !w.stop() {
		t.Error("stop after expiry reported false")
	}

	w = startHandshakeTimer(time.Hour, func() { t.Error("expired") })
	w.pause()
	w.fire(1) // the timer armed before pause cannot fire
	w.resume()
	w.fire(1)
	if w.stop() {
		t.Error("stop reported expiry")
	}

	expired := false
	w = startHandshakeTimer(time.Hour, func() { expired = true })
	w.pause()
	w.resume()
	w.fire(w.gen) // the timer armed by resume
	if !expired || !w.stop() {
		t.Error("the re-armed timer did not expire")
	}
}

// dtPausePrompter reports whether the handshake timer is paused while it is
// asked.
type dtPausePrompter struct{ wd *handshakeTimer }

func (p dtPausePrompter) paused() bool {
	p.wd.mu.Lock()
	defer p.wd.mu.Unlock()
	return p.wd.paused
}

func (p dtPausePrompter) Password(string) (string, error) {
	if !p.paused() {
		return "", errors.New("timer running")
	}
	return "pw", nil
}

func (p dtPausePrompter) Confirm(string) (bool, error) { return p.paused(), nil }

func TestGuardedPrompter(t *testing.T) {
	wd := startHandshakeTimer(time.Hour, func() { t.Error("expired") })
	defer wd.stop()
	ctx, cancel := context.WithCancel(context.Background())
	g := &guardedPrompter{ctx: ctx, p: dtPausePrompter{wd}, wd: wd}
	if pw, err := g.Password("p: "); pw != "pw" || err != nil {
		t.Errorf("Password: %q, %v", pw, err)
	}
	if ok, err := g.Confirm("c? "); !ok || err != nil {
		t.Errorf("Confirm: %v, %v", ok, err)
	}
	if (dtPausePrompter{wd}).paused() {
		t.Error("still paused after the prompts")
	}
	cancel()
	if _, err := g.Password("p: "); !errors.Is(err, context.Canceled) {
		t.Errorf("Password after cancel: %v", err)
	}
	if _, err := g.Confirm("c? "); !errors.Is(err, context.Canceled) {
		t.Errorf("Confirm after cancel: %v", err)
	}
}

func TestHint(t *testing.T) {
	changed := &HostKeyError{Host: "[127.0.0.1]:2222", Known: []knownhosts.KnownKey{{Filename: "/home/me/.ssh/known_hosts", Line: 3}}, Err: ErrHostKeyChanged}
	unknown := &HostKeyError{Host: "[127.0.0.1]:2222", KnownHostsFile: "/srv/ssh/kh", Err: ErrHostKeyUnknown}
	home, _ := os.UserHomeDir()
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("dial x: %w", changed), "ssh-keygen -R '[127.0.0.1]:2222' -f /home/me/.ssh/known_hosts"},
		{fmt.Errorf("dial x: %w", unknown), "ssh-keyscan -p 2222 127.0.0.1 >> /srv/ssh/kh"},
		{&HostKeyError{Host: "web1", KnownHostsFile: filepath.Join(home, ".ssh", "my hosts"), Err: ErrHostKeyUnknown}, "ssh-keyscan web1 >> ~/'.ssh/my hosts'"},
		{&HostKeyError{Host: "web1", Err: ErrHostKeyUnknown}, "UserKnownHostsFile is none"},
		{&HostKeyError{Host: "web1", KnownHostsFile: "/srv/kh", Err: ErrHostKeyChanged}, "ssh-keygen -R web1 -f /srv/kh"},
		{&HostKeyError{Host: "web1", Err: ErrHostKeyRevoked}, "revoked"},
		{&authError{user: "bob"}, "ssh-add -l"},
		{&net.DNSError{Err: "no such host", Name: "nosuch"}, "host name"},
	}
	for _, tt := range tests {
		if got := Hint(tt.err); !strings.Contains(got, tt.want) {
			t.Errorf("Hint(%v) = %q, want it to contain %q", tt.err, got, tt.want)
		}
	}
	if got := Hint(errors.New("other")); got != "" {
		t.Errorf("Hint(other) = %q", got)
	}
	if got := Hint(nil); got != "" {
		t.Errorf("Hint(nil) = %q", got)
	}
}

func ExampleDial() {
	prompter, _ := TTYPrompter() // nil without a terminal: nothing is asked
	conn, err := Dial(context.Background(), "web1", Config{Prompter: prompter, Stderr: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "weblogctl: error:", err)
		if h := Hint(err); h != "" {
			fmt.Fprintln(os.Stderr, "weblogctl: hint:", h)
		}
		return
	}
	defer conn.Close()
	// Use conn, e.g. client.New(conn) from package client.
}

// dtStartAgent serves an in-process ssh-agent holding keys on a unix
// socket and returns the socket's path.
func dtStartAgent(t *testing.T, keys ...crypto.PrivateKey) string {
	t.Helper()
	var added []agent.AddedKey
	for _, k := range keys {
		added = append(added, agent.AddedKey{PrivateKey: k})
	}
	return dtStartAgentKeys(t, added...)
}

// dtStartAgentKeys is dtStartAgent for keys that may carry certificates.
func dtStartAgentKeys(t *testing.T, keys ...agent.AddedKey) string {
	t.Helper()
	kr := agent.NewKeyring()
	for _, k := range keys {
		if err := kr.Add(k); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				agent.ServeAgent(kr, c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return sock
}
