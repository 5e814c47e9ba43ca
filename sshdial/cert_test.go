package sshdial

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// certCA is a user certificate authority for the certificate tests.
type certCA struct{ signer ssh.Signer }

func newCertCA(t *testing.T) *certCA {
	t.Helper()
	return &certCA{signer: dtSigner(t, dtNewKey(t))}
}

// sign certifies key for principal, valid from a minute ago until
// validFor from now.
func (ca *certCA) sign(t *testing.T, key ssh.PublicKey, id, principal string, validFor time.Duration) *ssh.Certificate {
	t.Helper()
	now := time.Now()
	cert := &ssh.Certificate{
		Key:             key,
		Serial:          42,
		CertType:        ssh.UserCert,
		KeyId:           id,
		ValidPrincipals: []string{principal},
		ValidAfter:      uint64(now.Add(-time.Minute).Unix()),
		ValidBefore:     uint64(now.Add(validFor).Unix()),
	}
	if err := cert.SignCert(rand.Reader, ca.signer); err != nil {
		t.Fatal(err)
	}
	return cert
}

func writeCert(t *testing.T, path string, cert *ssh.Certificate) {
	t.Helper()
	if err := os.WriteFile(path, ssh.MarshalAuthorizedKey(cert), 0o644); err != nil {
		t.Fatal(err)
	}
}

// certServer starts a real sshd that trusts ca for user certificates and
// has no authorized_keys entry, and returns it with an ssh_config for the
// alias "h" (its client key as IdentityFile, IdentitiesOnly yes) to which
// extra lines are appended.
func certServer(t *testing.T, ca *certCA, extra ...string) (*sshdtest.Server, string) {
	t.Helper()
	s := sshdtest.Start(t, sshdtest.Options{TrustedUserCAKeys: []ssh.PublicKey{ca.signer.PublicKey()}, NoAuthorizedKey: true})
	return s, certServerConfig(t, s, extra...)
}

// certServerConfig writes an ssh_config for s (not s.SSHConfig: that one
// sets BatchMode) with extra lines.
func certServerConfig(t *testing.T, s *sshdtest.Server, extra ...string) string {
	t.Helper()
	cfg := "Host h\n  HostName 127.0.0.1\n  Port " + s.Port + "\n  User " + s.User + "\n  IdentityFile " + s.ClientKey +
		"\n  IdentitiesOnly yes\n  UserKnownHostsFile " + s.KnownHosts + "\n  StrictHostKeyChecking yes\n"
	for _, x := range extra {
		cfg += "  " + x + "\n"
	}
	path := filepath.Join(t.TempDir(), "ssh_config")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// dialRun dials h through cfg and runs a command, proving the login.
func dialRun(t *testing.T, cfg Config) error {
	t.Helper()
	conn, err := Dial(context.Background(), "h", cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if out, err := sess.CombinedOutput("echo logged-in"); err != nil || string(out) != "logged-in\n" {
		t.Fatalf("command: %q, %v", out, err)
	}
	return nil
}

// TestDialCertificate logs in to a real sshd that knows no key, only a
// certificate authority (TrustedUserCAKeys), with certificates found the
// ways ssh finds them.
func TestDialCertificate(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	ca := newCertCA(t)

	t.Run("no certificate", func(t *testing.T) {
		_, cfg := certServer(t, ca)
		if err := dialRun(t, Config{ConfigFile: cfg}); !errors.Is(err, ErrAuth) {
			t.Fatalf("Dial without a certificate: %v, want ErrAuth (the server must not know the key)", err)
		}
	})
	t.Run("beside the identity file", func(t *testing.T) {
		s, cfg := certServer(t, ca)
		writeCert(t, s.ClientKey+"-cert.pub", ca.sign(t, s.ClientPub, "alice@example", s.User, time.Hour))
		if err := dialRun(t, Config{ConfigFile: cfg}); err != nil {
			t.Fatalf("Dial with %s-cert.pub: %v", s.ClientKey, err)
		}
	})
	t.Run("CertificateFile", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "issued-cert.pub")
		s, cfg := certServer(t, ca, "CertificateFile "+path)
		writeCert(t, path, ca.sign(t, s.ClientPub, "alice@example", s.User, time.Hour))
		if err := dialRun(t, Config{ConfigFile: cfg}); err != nil {
			t.Fatalf("Dial with CertificateFile: %v", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		s, cfg := certServer(t, ca)
		writeCert(t, s.ClientKey+"-cert.pub", ca.sign(t, s.ClientPub, "alice@example", s.User, -time.Second))
		if err := dialRun(t, Config{ConfigFile: cfg}); !errors.Is(err, ErrAuth) {
			t.Fatalf("Dial with an expired certificate: %v, want ErrAuth", err)
		}
	})
	t.Run("other principal", func(t *testing.T) {
		s, cfg := certServer(t, ca)
		writeCert(t, s.ClientKey+"-cert.pub", ca.sign(t, s.ClientPub, "alice@example", "someone-else", time.Hour))
		if err := dialRun(t, Config{ConfigFile: cfg}); !errors.Is(err, ErrAuth) {
			t.Fatalf("Dial with a certificate for another principal: %v, want ErrAuth", err)
		}
	})
	t.Run("agent", func(t *testing.T) {
		s, _ := certServer(t, ca)
		data, err := os.ReadFile(s.ClientKey)
		if err != nil {
			t.Fatal(err)
		}
		priv, err := ssh.ParseRawPrivateKey(data)
		if err != nil {
			t.Fatal(err)
		}
		sock := dtStartAgentKeys(t, agent.AddedKey{PrivateKey: priv, Certificate: ca.sign(t, s.ClientPub, "agent@example", s.User, time.Hour)})
		// IdentitiesOnly is on: the agent's certificate is for the
		// identity file's key, so it may be offered.
		cfg := certServerConfig(t, s, "IdentityAgent "+sock)
		var debug strings.Builder
		if err := dialRun(t, Config{ConfigFile: cfg, Debug: &debug}); err != nil {
			t.Log(debug.String())
			t.Fatalf("Dial with the certificate in the agent: %v", err)
		}
	})
	t.Run("passphrase asked once", func(t *testing.T) {
		dir := t.TempDir()
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("open sesame"))
		if err != nil {
			t.Fatal(err)
		}
		key := filepath.Join(dir, "id_locked")
		if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		pub := dtSigner(t, priv).PublicKey()
		s, cfg := certServer(t, ca, "IdentityFile "+key)
		writeCert(t, key+"-cert.pub", ca.sign(t, pub, "locked@example", s.User, time.Hour))
		p := &dtPrompter{passwords: []string{"open sesame"}}
		if err := dialRun(t, Config{ConfigFile: cfg, Prompter: p}); err != nil {
			t.Fatalf("Dial with a passphrase-protected key's certificate: %v", err)
		}
		if n := len(p.shown()); n != 1 {
			t.Errorf("asked %d times (%q), want once", n, p.shown())
		}
	})
}

func TestReadCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := newCertCA(t)
	key := dtSigner(t, dtNewKey(t)).PublicKey()
	user := ca.sign(t, key, "u", "alice", time.Hour)
	host := ca.sign(t, key, "h", "web1", time.Hour)
	host.CertType = ssh.HostCert
	if err := host.SignCert(rand.Reader, ca.signer); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"user":    ssh.MarshalAuthorizedKey(user),
		"host":    ssh.MarshalAuthorizedKey(host),
		"plain":   ssh.MarshalAuthorizedKey(key),
		"garbage": []byte("ssh-ed25519-cert-v01@openssh.com AAAA\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := readCertificate(filepath.Join(dir, "user")); err != nil || c.KeyId != "u" || c.Serial != 42 {
		t.Errorf("user certificate: %+v, %v", c, err)
	}
	for _, name := range []string{"host", "plain", "garbage"} {
		if c, err := readCertificate(filepath.Join(dir, name)); err == nil || c != nil {
			t.Errorf("%s: %v, %v; want an error", name, c, err)
		}
	}
	if _, err := readCertificate(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := readCertificate(dir); err == nil {
		t.Errorf("a directory: no error")
	}
}
