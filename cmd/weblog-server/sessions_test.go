package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
	"github.com/weblogctl/weblogctl/policy"
)

// capLog is the log the session-cap tests follow; stopLine ends a follow
// that was given --until-path=/stop.
const (
	capLog   = "192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] \"GET / HTTP/1.1\" 200 512 \"-\" \"curl/8\"\n"
	stopLine = "192.0.2.1 - - [10/Oct/2025:13:55:37 +0000] \"GET /stop HTTP/1.1\" 200 1 \"-\" \"curl/8\"\n"
)

// TestSessionCap: in every deployment — the embedded server (listen),
// a forced command and an sshd Subsystem under a real OpenSSH sshd —
// --max-sessions 1 refuses a second concurrent follow with status 5, and
// the --audit-log lines carry each session's key fingerprint and client
// address (under sshd from SSH_USER_AUTH, ExposeAuthInfo yes, and
// SSH_CONNECTION).
func TestSessionCap(t *testing.T) {
	bin := buildServer(t)
	t.Run("listen", func(t *testing.T) {
		d := newCapDeployment(t)
		signer, pub := d.clientKey(t)
		ak := filepath.Join(d.dir, "authorized_keys")
		if err := os.WriteFile(ak, ssh.MarshalAuthorizedKey(pub), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, append([]string{"listen", "--addr", "127.0.0.1:0", "--host-key", filepath.Join(d.dir, "host_key"), "--authorized-keys", ak}, d.flags()...)...)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		sc := bufio.NewScanner(stderr)
		addr := ""
		for addr == "" && sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), "listening on "); ok {
				addr, _, _ = strings.Cut(rest, ",")
			}
		}
		if addr == "" {
			t.Fatal("listen did not say where it listens")
		}
		go io.Copy(io.Discard, stderr)
		cfg := &ssh.ClientConfig{User: "alice", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}
		d.run(t, func(t *testing.T) *ssh.Client { return dialSSH(t, addr, cfg) }, false, ssh.FingerprintSHA256(pub))
	})
	t.Run("forced-command", func(t *testing.T) {
		d := newCapDeployment(t)
		s := sshdtest.Start(t, sshdtest.Options{KeyOptions: `restrict,command="` + bin + " " + strings.Join(d.flags(), " ") + `"`})
		d.run(t, sshdDialer(s), false, ssh.FingerprintSHA256(s.ClientPub))
	})
	t.Run("subsystem", func(t *testing.T) {
		d := newCapDeployment(t)
		s := sshdtest.Start(t, sshdtest.Options{Subsystem: bin + " " + strings.Join(d.flags(), " ")})
		d.run(t, sshdDialer(s), true, ssh.FingerprintSHA256(s.ClientPub))
	})
}

// capDeployment is one server under test: its log, audit log and a
// profile name of its own, so that its session slots are its own.
type capDeployment struct {
	dir, log, audit, profile string
}

func newCapDeployment(t *testing.T) *capDeployment {
	dir := t.TempDir()
	b := make([]byte, 6)
	rand.Read(b)
	d := &capDeployment{dir: dir, log: filepath.Join(dir, "access.log"), audit: filepath.Join(dir, "audit.log"), profile: "captest-" + hex.EncodeToString(b)}
	if err := os.WriteFile(d.log, []byte(capLog), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Join(policy.DefaultSlotDir(), d.profile)) })
	return d
}

// flags are weblog-server's policy flags (no character in them needs
// quoting for sshd or a shell: temporary paths are plain).
func (d *capDeployment) flags() []string {
	return []string{"--log", "access=" + d.log, "--max-sessions", "1", "--profile", d.profile, "--audit-log", d.audit}
}

func (d *capDeployment) clientKey(t *testing.T) (ssh.Signer, ssh.PublicKey) {
	pub, signer := newKey(t)
	return signer, pub
}

// run holds one follow open, checks that a second one is refused, ends
// the first and checks the audit log. In stream mode (an sshd Subsystem)
// requests go to the subsystem's stdin.
func (d *capDeployment) run(t *testing.T, dial func(*testing.T) *ssh.Client, stream bool, fp string) {
	c1 := dial(t)
	first := startRequest(t, c1, stream, "follow -n 1 --until-path=/stop access")
	if line, err := first.out.ReadString('\n'); err != nil || line != capLog {
		t.Fatalf("the first follow sent %q, %v; want the log's line", line, err)
	}

	c2 := dial(t)
	second := startRequest(t, c2, stream, "follow access")
	// sshd does not pass a Subsystem's stderr to the client; there the
	// refusal shows as a session that ends at once, and in the audit log.
	msg, _ := io.ReadAll(second.errOut)
	if !stream && !strings.Contains(string(msg), "too many sessions for profile "+d.profile) {
		t.Errorf("a second follow said %q; want too many sessions", msg)
	}
	if out, err := io.ReadAll(second.out); err != nil || len(out) > 0 {
		t.Errorf("a second follow sent %q, %v; want nothing", out, err)
	}
	if st := second.status(t); st != 5 && !(stream && st == -1) {
		t.Errorf("a second follow ended with status %d, want 5", st)
	}

	f, err := os.OpenFile(d.log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(stopLine)
	f.Close()
	if line, err := first.out.ReadString('\n'); err != nil || line != stopLine {
		t.Errorf("the first follow then sent %q, %v; want the stop line", line, err)
	}
	if stream {
		first.in.Close() // the end of the request stream ends the session
	}
	if rest, err := io.ReadAll(first.out); err != nil || len(rest) > 0 {
		t.Errorf("after the stop line the first follow sent %q, %v; want its end", rest, err)
	}
	if st := first.status(t); st != 0 && !(stream && st == -1) {
		t.Errorf("the first follow ended with status %d, want 0", st)
	}

	data, err := os.ReadFile(d.audit)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	want := []string{ // in the order the requests ended
		fmt.Sprintf("profile=%s key=%s client=%s ", d.profile, fp, c2.LocalAddr()),
		fmt.Sprintf("profile=%s key=%s client=%s verb=follow log=access ", d.profile, fp, c1.LocalAddr()),
	}
	results := []string{"result=denied", "result=ok"}
	if len(lines) != len(want) {
		t.Fatalf("audit log:\n%s\nwant %d lines", data, len(want))
	}
	for i, l := range lines {
		if !strings.Contains(l, want[i]) || !strings.Contains(l, results[i]) {
			t.Errorf("audit line %d:\n%s\nwant %q … %q", i+1, l, want[i], results[i])
		}
	}
}

// request is one session running one request.
type request struct {
	sess   *ssh.Session
	out    *bufio.Reader
	errOut io.Reader
	in     io.WriteCloser // stream mode's requests
	stream bool
}

// startRequest starts line in a new session of c: as an exec request, or
// written to the weblog subsystem's stdin.
func startRequest(t *testing.T, c *ssh.Client, stream bool, line string) *request {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errOut, err := s.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := &request{sess: s, out: bufio.NewReader(out), errOut: errOut, stream: stream}
	if !stream {
		if err := s.Start(line); err != nil {
			t.Fatal(err)
		}
		return r
	}
	in, err := s.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestSubsystem("weblog"); err != nil {
		t.Fatal(err)
	}
	io.WriteString(in, line+"\n") // refused sessions may not read it
	r.in = in
	return r
}

// status returns the session's exit status; -1 in stream mode, where
// x/crypto/ssh's Session does not report it (its Wait needs Start).
func (r *request) status(t *testing.T) int {
	if r.stream {
		return -1
	}
	err := r.sess.Wait()
	var ee *ssh.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitStatus()
	}
	t.Fatalf("session: %v", err)
	return 0
}

func dialSSH(t *testing.T, addr string, cfg *ssh.ClientConfig) *ssh.Client {
	t.Helper()
	c, err := ssh.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// sshdDialer logs in to s as its user with its client key.
func sshdDialer(s *sshdtest.Server) func(*testing.T) *ssh.Client {
	return func(t *testing.T) *ssh.Client {
		data, err := os.ReadFile(s.ClientKey)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := ssh.ParsePrivateKey(data)
		if err != nil {
			t.Fatal(err)
		}
		return dialSSH(t, s.Addr, &ssh.ClientConfig{User: s.User, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: ssh.FixedHostKey(s.HostKey), Timeout: 10 * time.Second})
	}
}
