package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"
)

func newKey(t *testing.T) (ssh.PublicKey, ssh.Signer) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return sp, signer
}

func authLine(k ssh.PublicKey) string {
	return "publickey " + k.Type() + " " + base64.StdEncoding.EncodeToString(k.Marshal()) + "\n"
}

func TestKeyFromUserAuth(t *testing.T) {
	k1, _ := newKey(t)
	k2, caSigner := newKey(t)
	cert := &ssh.Certificate{Key: k1, CertType: ssh.UserCert, KeyId: "ann", ValidPrincipals: []string{"ann"}, ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, caSigner); err != nil {
		t.Fatal(err)
	}
	fp1, fp2 := ssh.FingerprintSHA256(k1), ssh.FingerprintSHA256(k2)
	dir := t.TempDir()
	tests := []struct{ contents, want string }{
		{authLine(k1), fp1},
		{"password\n" + authLine(k1), fp1},
		{authLine(k1) + authLine(k2), fp1 + "," + fp2},
		{authLine(cert), fp1},
		{"keyboard-interactive\n", ""},
		{"publickey ssh-ed25519 !!notbase64\n", ""},
		{"publickey ssh-rsa " + base64.StdEncoding.EncodeToString(k1.Marshal()) + "\n", ""}, // type mismatch
		{"", ""},
	}
	for i, tt := range tests {
		p := filepath.Join(dir, "auth"+string(rune('a'+i)))
		if err := os.WriteFile(p, []byte(tt.contents), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := KeyFromUserAuth(p); got != tt.want {
			t.Errorf("KeyFromUserAuth(%q) = %q, want %q", tt.contents, got, tt.want)
		}
	}
	if got := KeyFromUserAuth(filepath.Join(dir, "missing")); got != "" {
		t.Errorf("missing file: %q", got)
	}
}

func TestClientFromSSHConnection(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7 52144 192.0.2.1 22":   "203.0.113.7:52144",
		"2001:db8::1 52144 2001:db8::2 22": "[2001:db8::1]:52144",
		"::ffff:203.0.113.7 1 ::1 22":      "[::ffff:203.0.113.7]:1",
		"":                                 "",
		"203.0.113.7":                      "",
		"host.example 22 x 22":             "",
		"203.0.113.7 99999 x 22":           "",
		"203.0.113.7 -1 x 22":              "",
	} {
		if got := ClientFromSSHConnection(in); got != want {
			t.Errorf("ClientFromSSHConnection(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	k, _ := newKey(t)
	p := filepath.Join(t.TempDir(), "auth")
	os.WriteFile(p, []byte(authLine(k)), 0o600)
	env := map[string]string{"SSH_USER_AUTH": p, "SSH_CONNECTION": "198.51.100.4 4444 192.0.2.1 22"}
	e := FromEnv(func(k string) string { return env[k] })
	if e.Key != ssh.FingerprintSHA256(k) || e.Client != "198.51.100.4:4444" {
		t.Errorf("FromEnv = %+v", e)
	}
	if e := FromEnv(func(string) string { return "" }); e.Key != "" || e.Client != "" {
		t.Errorf("FromEnv(empty) = %+v", e)
	}
}
