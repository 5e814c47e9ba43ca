package sshserver

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/subsystem"
)

// certServer is a test server that trusts one CA and serves a
// certificate's forced command; its authorized_keys lists the plain test
// key (to show a certificate does not need it) unless noKeys.
type certServer struct {
	*testServer
	audit    *entries // the audit records of the certificates' sessions
	ca       ssh.Signer
	otherLog string // served only by the certificates' forced command, as "other"
}

func startCertServer(t *testing.T, noKeys bool) *certServer {
	t.Helper()
	ca := newSigner(t)
	cs := &certServer{ca: ca, audit: &entries{}}
	cs.testServer = startServer(t, func(cfg *Config) {
		dir := filepath.Dir(cfg.HostKeyFile)
		caFile := filepath.Join(dir, "user_ca.pub")
		writeFile(t, caFile, ssh.MarshalAuthorizedKey(ca.PublicKey()), 0o644)
		cfg.TrustedUserCAKeysFile = caFile
		if noKeys {
			cfg.AuthorizedKeysFile = ""
		}
		cs.otherLog = filepath.Join(dir, "other.log")
		writeFile(t, cs.otherLog, []byte("other 1\nother 2\n"), 0o644)
		cfg.ForcedSubsystem = func(fc policy.ForcedCommand) (*subsystem.Server, error) {
			if fc.Audit {
				return nil, errors.New("no audit log")
			}
			return subsystem.New(fc.Profile, subsystem.Options{Version: "test", Audit: cs.audit.add})
		}
	})
	return cs
}

func newSigner(t *testing.T) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// forced is the forced command of the test certificates.
func (cs *certServer) forced() string {
	return "/usr/local/bin/weblog-server --log other=" + cs.otherLog
}

// sign returns a certificate for the test key, made like weblogctl
// authorize --ca makes it; edit may change it before signing.
func (cs *certServer) sign(t *testing.T, edit func(*policy.UserCert)) *ssh.Certificate {
	t.Helper()
	uc := policy.UserCert{Key: cs.key.PublicKey(), KeyID: "alice@contractor", Serial: 4711, Principals: []string{"alice"},
		ValidBefore: time.Now().Add(time.Hour), ForceCommand: cs.forced()}
	if edit != nil {
		edit(&uc)
	}
	cert, err := policy.SignUserCert(cs.ca, uc)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// dialCert logs in as user with cert, from the local address from ("" for
// any).
func (cs *certServer) dialCert(t *testing.T, user, from string, cert *ssh.Certificate) (*ssh.Client, error) {
	t.Helper()
	signer, err := ssh.NewCertSigner(cert, cs.key)
	if err != nil {
		t.Fatal(err)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	nc, err := d.Dial("tcp", cs.addr)
	if err != nil {
		t.Fatal(err)
	}
	sc, chans, reqs, err := ssh.NewClientConn(nc, cs.addr, cs.clientConfig(user, ssh.PublicKeys(signer)))
	if err != nil {
		nc.Close()
		return nil, err
	}
	c := ssh.NewClient(sc, chans, reqs)
	t.Cleanup(func() { c.Close() })
	return c, nil
}

func run(t *testing.T, c *ssh.Client, cmd string) ([]byte, int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := s.Output(cmd)
	return out, exitStatus(err)
}

func TestCertificateForcedCommandIsThePolicy(t *testing.T) {
	cs := startCertServer(t, true)
	cert := cs.sign(t, nil)
	c, err := cs.dialCert(t, "alice", "", cert)
	if err != nil {
		t.Fatalf("certificate login: %v", err)
	}
	line := cs.log.waitFor(t, "certificate id=\"alice@contractor\" serial=4711", "forced command: true")
	if !strings.Contains(line, "valid until 20") {
		t.Errorf("log line %q does not say until when", line)
	}
	cs.log.waitFor(t, "login user=\"alice\" method=publickey "+ssh.FingerprintSHA256(cs.key.PublicKey()))
	if out, st := run(t, c, "cat other"); st != 0 || string(out) != "other 1\nother 2\n" {
		t.Errorf("cat other = %q, status %d", out, st)
	}
	var audited bool
	for _, e := range cs.audit.all() {
		audited = audited || e.Verb == "cat" && e.Log == "other" && e.Cert != nil && *e.Cert == audit.Cert{ID: "alice@contractor", Serial: 4711} &&
			e.Key == ssh.FingerprintSHA256(cs.key.PublicKey())
	}
	if !audited {
		t.Errorf("no audit record of cat other with the certificate: %+v", cs.audit.all())
	}
	// ls tells until when the certificate is valid.
	until := time.Unix(int64(cert.ValidBefore), 0).UTC().Format(time.RFC3339)
	if out, st := run(t, c, "ls --framed"); st != 0 || !bytes.Contains(out, []byte(`"access_until":"`+until+`"`)) {
		t.Errorf("ls --framed = %q, status %d; want access_until %s", out, st, until)
	}
	// The server's own policy (access) is not the certificate's.
	if out, st := run(t, c, "cat access"); st != 3 || len(out) != 0 {
		t.Errorf("cat access = %d bytes, status %d; want nothing, 3", len(out), st)
	}
	if out, st := run(t, c, "ls"); st != 0 || !strings.HasPrefix(string(out), "other\t") || strings.Contains(string(out), "access") {
		t.Errorf("ls = %q, status %d", out, st)
	}
	// No shell, no other program: a shell request follows the policy's
	// first log and an exec of anything else is a refused request.
	if out, st := run(t, c, "/bin/sh -c id"); st != 2 || len(out) != 0 {
		t.Errorf("exec /bin/sh = %q, status %d", out, st)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err == nil {
		t.Error("pty-req accepted for a certificate without permit-pty")
	}
	s.Close()
	// No port forwarding.
	if _, err := c.Dial("tcp", cs.addr); err == nil {
		t.Error("direct-tcpip accepted")
	}
	if _, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		t.Error("tcpip-forward accepted")
	}
}

func TestCertificateRefusals(t *testing.T) {
	cs := startCertServer(t, true)
	other := newSigner(t)
	tests := []struct {
		name string
		user string
		cert func() *ssh.Certificate
		log  string
	}{
		{"wrong principal", "bob", func() *ssh.Certificate { return cs.sign(t, nil) }, "not in the set of valid principals"},
		{"expired", "alice", func() *ssh.Certificate {
			return cs.sign(t, func(u *policy.UserCert) {
				u.ValidAfter, u.ValidBefore = time.Now().Add(-time.Hour), time.Now().Add(-time.Minute)
			})
		}, "expired"},
		{"not yet valid", "alice", func() *ssh.Certificate {
			return cs.sign(t, func(u *policy.UserCert) {
				u.ValidAfter, u.ValidBefore = time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)
			})
		}, "not yet valid"},
		{"unknown CA", "alice", func() *ssh.Certificate {
			c := cs.sign(t, nil)
			c.SignCert(rand.Reader, other)
			return c
		}, "unrecognized authority"},
		{"forced shell", "alice", func() *ssh.Certificate {
			return cs.sign(t, func(u *policy.UserCert) { u.ForceCommand = "/bin/sh -c id" })
		}, "does not run weblog-server"},
		{"forced shell syntax", "alice", func() *ssh.Certificate {
			return cs.sign(t, func(u *policy.UserCert) { u.ForceCommand = cs.forced() + "; id" })
		}, "outside single quotes"},
		{"forced policy file", "alice", func() *ssh.Certificate {
			return cs.sign(t, func(u *policy.UserCert) { u.ForceCommand = cs.forced() + " --policy /etc/passwd" })
		}, "not allowed in a forced command"},
		{"audit asked", "alice", func() *ssh.Certificate {
			return cs.sign(t, func(u *policy.UserCert) { u.ForceCommand = cs.forced() + " --audit-log /var/log/a" })
		}, "no audit log"},
		{"unknown critical option", "alice", func() *ssh.Certificate {
			c := cs.sign(t, nil)
			c.CriticalOptions["verify-required"] = ""
			c.SignCert(rand.Reader, cs.ca)
			return c
		}, "unsupported critical option"},
		{"host certificate", "alice", func() *ssh.Certificate {
			c := cs.sign(t, nil)
			c.CertType = ssh.HostCert
			c.SignCert(rand.Reader, cs.ca)
			return c
		}, "cert has type 2"},
		{"outside source-address", "alice", func() *ssh.Certificate {
			return cs.sign(t, func(u *policy.UserCert) { u.SourceAddress = []string{"127.0.0.2"} })
		}, "source-address"},
	}
	for _, tt := range tests {
		if c, err := cs.dialCert(t, tt.user, "127.0.0.1", tt.cert()); err == nil {
			c.Close()
			t.Errorf("%s: logged in", tt.name)
			continue
		}
		cs.log.waitFor(t, "login attempt", tt.log)
	}
	// The plain key is not in authorized_keys (there is none).
	if _, err := ssh.Dial("tcp", cs.addr, cs.clientConfig("alice")); err == nil {
		t.Error("the plain key logged in without authorized_keys")
	}
}

func TestCertificateSourceAddress(t *testing.T) {
	cs := startCertServer(t, true)
	cert := cs.sign(t, func(u *policy.UserCert) { u.SourceAddress = []string{"127.0.0.2/32"} })
	if _, err := cs.dialCert(t, "alice", "127.0.0.1", cert); err == nil {
		t.Error("logged in from 127.0.0.1, outside source-address 127.0.0.2/32")
	}
	c, err := cs.dialCert(t, "alice", "127.0.0.2", cert)
	if err != nil {
		t.Fatalf("from 127.0.0.2: %v", err)
	}
	if out, st := run(t, c, "cat other"); st != 0 || len(out) == 0 {
		t.Errorf("cat other from 127.0.0.2: %q, status %d", out, st)
	}
}

// TestCertificateExtensionsCannotPose checks that a certificate's own
// extensions (which the CA, not this server, chose) do not pass for the
// server's record of who logged in.
func TestCertificateExtensionsCannotPose(t *testing.T) {
	cs := startCertServer(t, true)
	cert := cs.sign(t, nil)
	cert.Extensions = map[string]string{extIdentity: "SHA256:forged", extForceCommand: "/usr/local/bin/weblog-server --log x=/etc/passwd", extCertID: "forged"}
	cert.SignCert(rand.Reader, cs.ca)
	c, err := cs.dialCert(t, "alice", "", cert)
	if err != nil {
		t.Fatal(err)
	}
	cs.log.waitFor(t, "login user=\"alice\" method=publickey "+ssh.FingerprintSHA256(cs.key.PublicKey()))
	cs.log.waitFor(t, "certificate id=\"alice@contractor\"")
	if out, st := run(t, c, "cat x"); st != 3 || len(out) != 0 {
		t.Errorf("cat x = %q, status %d", out, st)
	}
	if strings.Contains(cs.log.String(), "forged") {
		t.Errorf("the log trusts the certificate's extensions:\n%s", cs.log)
	}
}

// TestCertificateExpiryEndsConnection signs a certificate valid for two
// seconds, logs in, and checks that the connection is cut when it
// expires and that it no longer logs in after.
func TestCertificateExpiryEndsConnection(t *testing.T) {
	cs := startCertServer(t, true)
	until := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	cert := cs.sign(t, func(u *policy.UserCert) { u.ValidBefore = until })
	c, err := cs.dialCert(t, "alice", "", cert)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s.Stdout = &out
	if err := s.Start("follow other"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	select {
	case <-done:
		if time.Now().Before(until) {
			t.Errorf("follow ended at %v, before the certificate's end %v", time.Now(), until)
		}
	case <-time.After(time.Until(until) + 10*time.Second):
		t.Fatal("follow still running 10s after the certificate expired")
	}
	cs.log.waitFor(t, "certificate expired: disconnecting")
	if out.String() != "other 1\nother 2\n" {
		t.Errorf("follow sent %q", out.String())
	}
	if _, err := cs.dialCert(t, "alice", "", cert); err == nil {
		t.Error("an expired certificate logged in")
	}
	cs.log.waitFor(t, "login attempt", "cert has expired")
}

func TestParseCAKeys(t *testing.T) {
	ca := newSigner(t)
	good := ssh.MarshalAuthorizedKey(ca.PublicKey())
	if keys, err := parseCAKeys(append([]byte("# CA\n\n"), good...)); err != nil || len(keys) != 1 {
		t.Errorf("parseCAKeys: %d keys, %v", len(keys), err)
	}
	for name, data := range map[string][]byte{
		"empty":   []byte("# nothing\n"),
		"options": append([]byte("cert-authority "), good...),
		"garbage": []byte("ssh-ed25519 AAAA\n"),
	} {
		if _, err := parseCAKeys(data); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCertificateWithoutCAsRefused(t *testing.T) {
	ts := startServer(t, nil)
	cs := &certServer{testServer: ts, ca: newSigner(t), otherLog: "/nonexistent"}
	if _, err := cs.dialCert(t, "alice", "", cs.sign(t, nil)); err == nil {
		t.Error("a certificate logged in to a server without trusted CA keys")
	}
	ts.log.waitFor(t, "login attempt", "no trusted CA keys")
}

// entries collects audit records.
type entries struct {
	mu sync.Mutex
	e  []audit.Entry
}

func (e *entries) add(x audit.Entry) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.e = append(e.e, x)
}

func (e *entries) all() []audit.Entry {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]audit.Entry(nil), e.e...)
}

// TestCertificateWithoutForcedCommand: a certificate that carries no
// force-command gets the server's own policy, as a key in
// authorized_keys does, still with no pty (no permit-pty).
func TestCertificateWithoutForcedCommand(t *testing.T) {
	cs := startCertServer(t, true)
	cert := &ssh.Certificate{Key: cs.key.PublicKey(), CertType: ssh.UserCert, KeyId: "plain", Serial: 3, ValidPrincipals: []string{"alice"},
		ValidAfter: uint64(time.Now().Add(-time.Minute).Unix()), ValidBefore: uint64(time.Now().Add(time.Hour).Unix())}
	if err := cert.SignCert(rand.Reader, cs.ca); err != nil {
		t.Fatal(err)
	}
	c, err := cs.dialCert(t, "alice", "", cert)
	if err != nil {
		t.Fatal(err)
	}
	cs.log.waitFor(t, "certificate id=\"plain\" serial=3", "forced command: false")
	if out, st := run(t, c, "cat access"); st != 0 || !bytes.Equal(out, testLog) {
		t.Errorf("cat access: %d bytes, status %d", len(out), st)
	}
	if _, st := run(t, c, "cat other"); st != 3 {
		t.Errorf("cat other: status %d, want 3", st)
	}
}
