package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/authorize"
	"github.com/weblogctl/weblogctl/internal/sshdtest"
	"github.com/weblogctl/weblogctl/policy"
)

// authorizeOut runs weblogctl authorize with args and returns its stdout.
func authorizeOut(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if status := run(context.Background(), append([]string{"weblogctl", "authorize"}, args...), &stdout, &stderr); status != 0 {
		t.Fatalf("authorize %q: status %d: %s", args, status, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("authorize %q: stderr %q", args, stderr.String())
	}
	return stdout.String()
}

// sshOut runs OpenSSH's ssh with args; stdin is empty.
func sshOut(t *testing.T, args ...string) (stdout, stderr []byte, status int) {
	t.Helper()
	var o, e bytes.Buffer
	c := exec.Command(sshdtest.Require(t, "ssh", "/usr/bin/ssh"), args...)
	c.Stdout, c.Stderr = &o, &e
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		status = ee.ExitCode()
	default:
		t.Fatalf("ssh %q: %v", args, err)
	}
	return o.Bytes(), e.Bytes(), status
}

// writeLog writes data to path for a test.
func writeLog(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeKey makes an ed25519 key at path, its public half at path.pub.
func writeKey(t *testing.T, path string) ssh.PublicKey {
	t.Helper()
	pub, err := sshdtest.WriteKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// startSSHD starts a real sshd with opts and returns it with the
// ssh_config in which "web1" is the host.
func startSSHD(t *testing.T, opts sshdtest.Options) (*sshdtest.Server, string) {
	t.Helper()
	s := sshdtest.Start(t, opts)
	cfg, err := s.SSHConfig("web1")
	if err != nil {
		t.Fatal(err)
	}
	return s, cfg
}

// TestAuthorizeExpiresSSHD: sshd honours the expiry-time= that
// authorize --expires writes: a future time logs in, a past one is
// refused.
func TestAuthorizeExpiresSSHD(t *testing.T) {
	server := buildBin(t, "weblog-server")
	logPath := filepath.Join(t.TempDir(), "access.log")
	data := genLog(20)
	writeLog(t, logPath, data)
	s, cfg := startSSHD(t, sshdtest.Options{KeyOptions: "restrict"})
	line := strings.TrimSuffix(authorizeOut(t, "--key", s.ClientKey+".pub", "--server-path", server, "--log", "access="+logPath,
		"--expires", "1h", "--comment", "alice contract"), "\n")
	m := regexp.MustCompile(`,expiry-time="(\d{14}Z)" ssh-ed25519 \S+ alice contract$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("line %q has no expiry-time= and comment at the end", line)
	}
	until, err := time.Parse("20060102150405Z", m[1])
	if err != nil || until.Before(time.Now().Add(59*time.Minute)) || until.After(time.Now().Add(61*time.Minute)) {
		t.Fatalf("expiry-time %s (%v): want an hour from now", m[1], err)
	}
	install := func(line string) {
		if err := os.WriteFile(filepath.Join(s.Dir, "authorized_keys"), []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	install(line)
	if out, errOut, st := sshOut(t, "-F", cfg, "web1", "cat access"); st != 0 || !bytes.Equal(out, data) {
		t.Fatalf("future expiry-time: status %d, %d bytes: %s", st, len(out), errOut)
	}
	past := policy.FormatExpiryTime(time.Now().Add(-time.Minute))
	install(strings.Replace(line, m[1], past, 1))
	if out, _, st := sshOut(t, "-F", cfg, "web1", "cat access"); st != 255 || len(out) != 0 {
		t.Errorf("past expiry-time %s: status %d, %d bytes; want refusal (255)", past, st, len(out))
	}
}

// certHost is a server to check a certificate against: OpenSSH's sshd
// with only TrustedUserCAKeys, or weblog-server listen.
type certHost struct {
	name   string
	config string // ssh_config in which "web1" is the host
	audit  string // the audit log
}

// ssh runs ssh with opts to the host, running cmd.
func (h certHost) ssh(t *testing.T, opts []string, cmd ...string) ([]byte, []byte, int) {
	t.Helper()
	return sshOut(t, append(append(append([]string{"-F", h.config}, opts...), "web1"), cmd...)...)
}

// shell logs in without a command, with a terminal asked for, and types
// id: it returns what came back once ssh ended or, as the embedded
// server follows the first log for a shell, once its last line arrived.
func (h certHost) shell(t *testing.T, lastLine []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, sshdtest.Require(t, "ssh", "/usr/bin/ssh"), "-F", h.config, "-tt", "web1")
	c.Stdin = strings.NewReader("id\n")
	var out syncBuffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { c.Wait(); close(ended) }()
	for {
		select {
		case <-ended:
			return out.Bytes()
		case <-out.Changed():
			if bytes.Contains(out.Bytes(), lastLine) {
				c.Process.Kill()
				<-ended
				return out.Bytes()
			}
		case <-ctx.Done():
			<-ended
			t.Errorf("%s: shell still running after 20s: %q", h.name, out.Bytes())
			return out.Bytes()
		}
	}
}

// TestAuthorizeCertificate: a certificate from authorize --ca, with no
// authorized_keys entry, against a real sshd and against the embedded
// server: it reads exactly the named log, runs no shell or other
// command, forwards nothing, is refused from outside --from and after
// it expires, and the audit log names its key ID and serial.
func TestAuthorizeCertificate(t *testing.T) {
	server := buildBin(t, "weblog-server")
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	data := append(genLog(30), '\n') // complete lines only, as follow sends
	lines := bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	lastLine := append(lines[len(lines)-1], '\n')
	writeLog(t, logPath, data)
	caFile := filepath.Join(dir, "weblog_ca")
	caPub := writeKey(t, caFile)
	s, sshdConfig := startSSHD(t, sshdtest.Options{TrustedUserCAKeys: []ssh.PublicKey{caPub}, NoAuthorizedKey: true})
	sshdAudit := filepath.Join(dir, "sshd-audit.log")
	emb := startEmbedded(t, server, s, caFile+".pub")
	hosts := []certHost{{"sshd", sshdConfig, sshdAudit}, emb}

	// sign writes the certificate ssh uses beside the client key, and
	// returns it.
	sign := func(extra ...string) *ssh.Certificate {
		t.Helper()
		args := append([]string{"--ca", caFile, "--key", s.ClientKey + ".pub", "--server-path", server, "--log", "access=" + logPath,
			"--principal", s.User, "--key-id", "alice@contractor"}, extra...)
		out := authorizeOut(t, args...)
		certFile := s.ClientKey + "-cert.pub"
		if !strings.HasPrefix(out, "wrote "+certFile+": key ID \"alice@contractor\"") {
			t.Fatalf("authorize --ca printed %q", out)
		}
		b, err := os.ReadFile(certFile)
		if err != nil {
			t.Fatal(err)
		}
		k, _, _, _, err := ssh.ParseAuthorizedKey(b)
		if err != nil {
			t.Fatal(err)
		}
		return k.(*ssh.Certificate)
	}

	cert := sign("--from", "127.0.0.1", "--expires", "1h", "--serial", "4711", "--audit-log", sshdAudit)
	if fc := cert.CriticalOptions["force-command"]; !strings.Contains(fc, "--log access="+logPath) || !strings.Contains(fc, "--audit-log "+sshdAudit) {
		t.Errorf("force-command %q", fc)
	}
	if len(cert.Extensions) != 0 || cert.CriticalOptions["source-address"] != "127.0.0.1" {
		t.Errorf("extensions %q, critical options %q", cert.Extensions, cert.CriticalOptions)
	}
	for _, h := range hosts {
		t.Run(h.name, func(t *testing.T) {
			out, errOut, st := h.ssh(t, []string{"-b", "127.0.0.1"}, "cat access")
			if st != 0 || !bytes.Equal(out, data) {
				t.Fatalf("cat access: status %d, %d bytes: %s", st, len(out), errOut)
			}
			if out, _, st := h.ssh(t, nil, "ls"); st != 0 || !strings.HasPrefix(string(out), "access\t") || strings.Count(string(out), "\n") != 1 {
				t.Errorf("ls: status %d, %q; want the one log", st, out)
			}
			for _, cmd := range []string{"/bin/sh -c id", "id", "cat /etc/passwd", "cat access; id"} {
				if out, _, st := h.ssh(t, nil, cmd); st == 0 || bytes.Contains(out, []byte("uid=")) || bytes.Contains(out, []byte("root:")) {
					t.Errorf("%q: status %d, %q", cmd, st, out)
				}
			}
			// A shell with a terminal: no pty is granted and no shell runs.
			if out := h.shell(t, lastLine); bytes.Contains(out, []byte("uid=")) || !bytes.Contains(out, []byte("PTY allocation request failed")) {
				t.Errorf("ssh -tt, typing id: %q", out)
			}
			if _, errOut, st := h.ssh(t, []string{"-W", s.Addr}); st != 255 || !bytes.Contains(errOut, []byte("forwarding failed")) {
				t.Errorf("ssh -W: status %d, want 255: %s", st, errOut)
			}
			if _, errOut, st := h.ssh(t, []string{"-N", "-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:0:127.0.0.1:9"}); st != 255 {
				t.Errorf("ssh -R: status %d, want 255: %s", st, errOut)
			}
			if out, _, st := h.ssh(t, []string{"-b", "127.0.0.2"}, "cat access"); st != 255 || len(out) != 0 {
				t.Errorf("from 127.0.0.2, outside --from 127.0.0.1: status %d, %d bytes; want refusal", st, len(out))
			}
			// weblogctl ls shows until when the access is valid.
			var stdout, stderr bytes.Buffer
			if st := run(context.Background(), []string{"weblogctl", "-F", h.config, "ls", "web1"}, &stdout, &stderr); st != 0 {
				t.Fatalf("weblogctl ls: %d: %s", st, stderr.String())
			}
			until := time.Unix(int64(cert.ValidBefore), 0).UTC().Format(time.RFC3339)
			if !strings.Contains(stdout.String(), "access valid until "+until) {
				t.Errorf("weblogctl ls:\n%s\nwant access valid until %s; stderr %s", stdout.String(), until, stderr.String())
			}
			b, err := os.ReadFile(h.audit)
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`(?m)verb=cat log=access .*result=ok .*cert_id=alice@contractor cert_serial=4711$`).Match(b) {
				t.Errorf("audit log does not name the certificate:\n%s", b)
			}
		})
	}

	// A certificate valid for a few seconds works until then, and not
	// after; the clock, not a guess, says when. A follow started with it
	// ends when it expires (sshd would let it run on; weblog-server and
	// the embedded server end it).
	cert = sign("--expires", "4s", "--audit-log", sshdAudit)
	until := time.Unix(int64(cert.ValidBefore), 0)
	type ended struct {
		at          time.Time
		out, errOut []byte
	}
	follows := make([]chan ended, len(hosts))
	for i, h := range hosts {
		follows[i] = make(chan ended, 1)
		c := exec.Command(sshdtest.Require(t, "ssh", "/usr/bin/ssh"), "-F", h.config, "web1", "follow --lines=1 access")
		var out, errOut syncBuffer
		c.Stdout, c.Stderr = &out, &errOut
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { c.Wait(); follows[i] <- ended{time.Now(), out.Bytes(), errOut.Bytes()} }()
		t.Cleanup(func() { c.Process.Kill() })
	}
	for i, h := range hosts {
		select {
		case e := <-follows[i]:
			if e.at.Before(until) {
				t.Errorf("%s: follow with a short-lived certificate ended at %v, before it expired at %v: %q", h.name, e.at, until, e.out)
			} else if !bytes.Equal(e.out, lastLine) {
				t.Errorf("%s: follow sent %q, want the last line", h.name, e.out)
			}
			if h.name == "sshd" && !bytes.Contains(e.errOut, []byte("weblog-server: error: access ended: the certificate expired at ")) {
				t.Errorf("sshd: follow's stderr %q does not say the certificate expired", e.errOut)
			}
		case <-time.After(time.Until(until) + 15*time.Second):
			t.Errorf("%s: follow still running 15s after the certificate expired", h.name)
		}
	}
	for time.Now().Before(until) {
		time.Sleep(time.Until(until))
	}
	for _, h := range hosts {
		if out, _, st := h.ssh(t, nil, "cat access"); st != 255 || len(out) != 0 {
			t.Errorf("%s: expired certificate: status %d, %d bytes; want refusal", h.name, st, len(out))
		}
	}
}

// startEmbedded runs weblog-server listen trusting the CA, serving
// another log of its own (the certificate's forced command names the
// one it gets), with an audit log; s gives the client key and user.
func startEmbedded(t *testing.T, server string, s *sshdtest.Server, caPub string) certHost {
	t.Helper()
	dir := t.TempDir()
	hostKey := filepath.Join(dir, "host_ed25519")
	hostPub := writeKey(t, hostKey)
	own := filepath.Join(dir, "own.log")
	writeLog(t, own, []byte("not for certificates\n"))
	audit := filepath.Join(dir, "audit.log")
	cmd := exec.Command(server, "listen", "--addr", "127.0.0.1:0", "--host-key", hostKey, "--trusted-user-ca-keys", caPub,
		"--log", "own="+own, "--audit-log", audit)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	addr := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logBuf.WriteString(sc.Text() + "\n")
			if m := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`).FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		<-done
		if t.Failed() {
			t.Logf("weblog-server listen log:\n%s", logBuf.String())
		}
	})
	var a string
	select {
	case a = <-addr:
	case <-time.After(20 * time.Second):
		t.Fatal("weblog-server listen did not listen")
	}
	_, port, _ := net.SplitHostPort(a)
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(kh, []byte("[127.0.0.1]:"+port+" "+string(ssh.MarshalAuthorizedKey(hostPub))), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "ssh_config")
	text := fmt.Sprintf("Host web1\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n",
		port, s.User, s.ClientKey, kh)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return certHost{name: "embedded", config: cfg, audit: audit}
}

// syncBuffer is a bytes.Buffer for one writer and a reader that waits
// for what it writes.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed and replaced on every Write
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.b.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.b.Bytes())
}

// Changed returns a channel closed at the next Write.
func (b *syncBuffer) Changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	return b.changed
}

// TestAuthorizeCertificateCommand: the certificate goes beside the key
// (replacing an older one) or to stdout for --key -, and mistakes are
// usage errors that write nothing.
func TestAuthorizeCertificateCommand(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca")
	caPub := writeKey(t, ca)
	key := filepath.Join(dir, "alice")
	writeKey(t, key)
	base := []string{"--ca", ca, "--key", key + ".pub", "--log", "access=/var/log/a.log"}
	out := authorizeOut(t, append(base, "--expires", "2h", "--serial", "9")...)
	if !strings.HasPrefix(out, "wrote "+key+"-cert.pub: ") || !strings.Contains(out, "serial 9, principals "+authorize.DefaultPrincipal+", valid until ") {
		t.Errorf("authorize --ca printed %q", out)
	}
	st, err := os.Stat(key + "-cert.pub")
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("certificate file: %v, %v", st, err)
	}
	authorizeOut(t, append(base, "--expires", "2h", "--serial", "10", "--principal", "web", "--principal", "ops")...)
	b, _ := os.ReadFile(key + "-cert.pub")
	k, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		t.Fatal(err)
	}
	cert := k.(*ssh.Certificate)
	if cert.Serial != 10 || strings.Join(cert.ValidPrincipals, ",") != "web,ops" || !bytes.Equal(cert.SignatureKey.Marshal(), caPub.Marshal()) {
		t.Errorf("replaced certificate: serial %d, principals %q", cert.Serial, cert.ValidPrincipals)
	}
	if cert.KeyId == "" {
		t.Error("no key ID")
	}

	// --key -: the certificate on stdout.
	pubData, _ := os.ReadFile(key + ".pub")
	var stdout, stderr bytes.Buffer
	app := []string{"weblogctl", "authorize", "--ca", ca, "--key", "-", "--log", "access=/var/log/a.log", "--expires", "1h", "--key-id", "bob"}
	if st := runWithStdin(t, app, bytes.NewReader(pubData), &stdout, &stderr); st != 0 {
		t.Fatalf("--key -: status %d: %s", st, stderr.String())
	}
	if k, _, _, _, err := ssh.ParseAuthorizedKey(stdout.Bytes()); err != nil || k.(*ssh.Certificate).KeyId != "bob" {
		t.Errorf("--key - printed %q: %v", stdout.String(), err)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{base, "--ca needs --expires"},
		{append(base, "--expires", "1h", "--from", "example.com"), "source address"},
		{append(base, "--expires", "1h", "--from", "!10.0.0.0/8"), "source address"},
		{append(base, "--expires", "soon"), "--expires"},
		{append(base, "--expires", "2020-01-01"), "not in the future"},
		{append(base, "--expires", "1h", "--comment", "a", "--key-id", "b"), "--comment and --key-id"},
		{append(base, "--expires", "1h", "--principal", "a b"), "principal"},
		{[]string{"--key", key + ".pub", "--log", "access=/x", "--principal", "web"}, "--principal is for a certificate"},
		{[]string{"--key", key + ".pub", "--log", "access=/x", "--serial", "5"}, "--serial is for a certificate"},
		{[]string{"--ca", ca, "--key", ca + ".pub", "--log", "access=/x", "--expires", "1h"}, "the CA's own key"},
	} {
		before, _ := os.ReadFile(key + "-cert.pub")
		var stdout, stderr bytes.Buffer
		st := run(context.Background(), append([]string{"weblogctl", "authorize"}, tt.args...), &stdout, &stderr)
		if st != 2 || !strings.Contains(stderr.String(), tt.want) || stdout.Len() > 0 {
			t.Errorf("authorize %q: status %d, stdout %q, stderr %q; want 2 and %q", tt.args, st, stdout.String(), stderr.String(), tt.want)
		}
		if after, _ := os.ReadFile(key + "-cert.pub"); !bytes.Equal(before, after) {
			t.Errorf("authorize %q changed the certificate file", tt.args)
		}
	}
}

// runWithStdin is run with stdin as the app's input.
func runWithStdin(t *testing.T, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	t.Helper()
	app := newApp(stdout, stderr)
	app.Reader = stdin
	if err := app.RunContext(context.Background(), args); err != nil {
		return report(stderr, err)
	}
	return 0
}

// TestAuthorizeCertificatePrincipalsFile: the README's sshd_config, with
// an AuthorizedPrincipalsFile listing weblog, takes a certificate made
// with authorize's default principal, and refuses one for another.
func TestAuthorizeCertificatePrincipalsFile(t *testing.T) {
	server := buildBin(t, "weblog-server")
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	data := append(genLog(5), '\n')
	writeLog(t, logPath, data)
	caFile := filepath.Join(dir, "weblog_ca")
	caPub := writeKey(t, caFile)
	s, cfg := startSSHD(t, sshdtest.Options{TrustedUserCAKeys: []ssh.PublicKey{caPub}, NoAuthorizedKey: true, AuthorizedPrincipals: []string{authorize.DefaultPrincipal}})
	base := []string{"--ca", caFile, "--key", s.ClientKey + ".pub", "--server-path", server, "--log", "access=" + logPath, "--expires", "1h"}
	authorizeOut(t, base...)
	if out, errOut, st := sshOut(t, "-F", cfg, "web1", "cat access"); st != 0 || !bytes.Equal(out, data) {
		t.Fatalf("default principal %s: status %d, %d bytes: %s", authorize.DefaultPrincipal, st, len(out), errOut)
	}
	authorizeOut(t, append(base, "--principal", "ops")...)
	if out, _, st := sshOut(t, "-F", cfg, "web1", "cat access"); st != 255 || len(out) != 0 {
		t.Errorf("principal ops, not in the principals file: status %d, %d bytes; want refusal", st, len(out))
	}
}
