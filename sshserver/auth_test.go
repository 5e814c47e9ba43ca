package sshserver

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
)

func TestParseAuthorizedKeys(t *testing.T) {
	signer, _ := newClientKey(t, t.TempDir(), "k")
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPub, err := ssh.NewPublicKey(&small.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024 := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(smallPub)))
	tests := []struct {
		file  string
		n     int
		noPTY bool
		err   string
	}{
		{"", 0, false, ""},
		{"# comment\n\n" + key + " alice@laptop\n", 1, false, ""},
		{"restrict " + key, 1, true, ""},
		{"no-pty,no-port-forwarding " + key, 1, true, ""},
		{"no-agent-forwarding,No-X11-Forwarding,no-user-rc " + key, 1, false, ""},
		{`command="/bin/sh" ` + key, 0, false, `line 1: option "command=\"/bin/sh\"" is not supported`},
		{`from="10.0.0.0/8" ` + key, 0, false, "not supported"},
		{"cert-authority " + key, 0, false, "not supported"},
		{"port-forwarding " + key, 0, false, "not supported"},
		{key + "\nnot a key\n", 0, false, "line 2:"},
		{rsa1024, 0, false, "at least 2048"},
	}
	for _, tt := range tests {
		keys, err := parseAuthorizedKeys([]byte(tt.file))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseAuthorizedKeys(%.60q): err %v, want %q", tt.file, err, tt.err)
			}
			continue
		}
		if err != nil || len(keys) != tt.n {
			t.Errorf("parseAuthorizedKeys(%.60q) = %d keys, %v; want %d", tt.file, len(keys), err, tt.n)
			continue
		}
		if tt.n > 0 && keys[0].noPTY != tt.noPTY {
			t.Errorf("parseAuthorizedKeys(%.60q): noPTY %v, want %v", tt.file, keys[0].noPTY, tt.noPTY)
		}
	}
}

func TestParsePasswords(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	h := string(hash)
	tests := []struct {
		file string
		n    int
		err  string
	}{
		{"# users\n\nbob:" + h + "\n", 1, ""},
		{"bob:" + h + "\ncarol:" + strings.Replace(h, "$2a$", "$2y$", 1), 2, ""},
		{"bob:plaintext", 0, "not a bcrypt hash"},
		{"bob:{SHA}abc", 0, "not a bcrypt hash"},
		{"bob", 0, "want USER:HASH"},
		{":" + h, 0, "want USER:HASH"},
		{"b\x1bob:" + h, 0, "control characters"},
		{"bob:" + h + "\nbob:" + h, 0, "given twice"},
		{"bob:$2a$10$tooshort", 0, "bad bcrypt hash"},
	}
	for _, tt := range tests {
		users, err := parsePasswords([]byte(tt.file))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parsePasswords(%.40q): err %v, want %q", tt.file, err, tt.err)
			}
			continue
		}
		if err != nil || len(users) != tt.n {
			t.Errorf("parsePasswords(%.40q) = %d users, %v; want %d", tt.file, len(users), err, tt.n)
		}
	}
}

func TestNewRefusesUnsafeFiles(t *testing.T) {
	dir := t.TempDir()
	signer, _ := newClientKey(t, dir, "k")
	ak := dir + "/authorized_keys"
	writeFile(t, ak, ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o666)
	cfg := Config{HostKeyFile: dir + "/host_key", AuthorizedKeysFile: ak, Subsystem: nil}
	if _, err := New(cfg); err == nil {
		t.Error("New without Subsystem succeeded")
	}
	cfg.Subsystem = testSubsystem(t)
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "bad permissions") {
		t.Errorf("world-writable authorized_keys: %v", err)
	}
	writeFile(t, ak, ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o644)
	if _, err := New(cfg); err != nil {
		t.Errorf("authorized_keys 0644: %v", err)
	}
	if _, err := New(Config{HostKeyFile: dir + "/host_key", Subsystem: cfg.Subsystem}); err == nil {
		t.Error("New with neither keys nor passwords succeeded")
	}
	pw := dir + "/passwords"
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	writeFile(t, pw, []byte("bob:"+string(hash)+"\n"), 0o644)
	if _, err := New(Config{HostKeyFile: dir + "/host_key", PasswordFile: pw, Subsystem: cfg.Subsystem}); err == nil {
		t.Error("world-readable password file accepted")
	}
}
