package sshserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/subsystem"
)

func testSubsystem(t *testing.T) *subsystem.Server {
	return newSubsystem(t, "/nonexistent/access.log", nil, subsystem.Options{})
}

func TestHostKeyCreatedThenReused(t *testing.T) {
	dir := t.TempDir()
	signer, _ := newClientKey(t, dir, "k")
	writeFile(t, filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o600)
	cfg := Config{
		HostKeyFile:        filepath.Join(dir, "host_key"),
		AuthorizedKeysFile: filepath.Join(dir, "authorized_keys"),
		Subsystem:          testSubsystem(t),
	}
	s1, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(cfg.HostKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("new host key file has mode %04o, want 0600", st.Mode().Perm())
	}
	data, err := os.ReadFile(cfg.HostKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "-----BEGIN OPENSSH PRIVATE KEY-----\n") {
		t.Errorf("host key file is not in OpenSSH format:\n%s", data)
	}
	if s1.HostKey().Type() != ssh.KeyAlgoED25519 {
		t.Errorf("host key type %s", s1.HostKey().Type())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}

	s2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ssh.FingerprintSHA256(s1.HostKey()) != ssh.FingerprintSHA256(s2.HostKey()) {
		t.Error("the host key changed on the second start")
	}

	// Too open: refused, like sshd.
	if err := os.Chmod(cfg.HostKeyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "too open") {
		t.Errorf("host key 0644: %v", err)
	}

	// Not ed25519: refused.
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg.HostKeyFile, pem.EncodeToMemory(block), 0o600)
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "only ssh-ed25519") {
		t.Errorf("ecdsa host key: %v", err)
	}

	// A missing directory is an error, not a crash.
	cfg.HostKeyFile = filepath.Join(dir, "nodir", "host_key")
	if _, err := New(cfg); err == nil {
		t.Error("host key in a missing directory: no error")
	}
}
