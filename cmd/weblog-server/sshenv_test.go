package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/subsystem"
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
	fp1, fp2 := ssh.FingerprintSHA256(k1), ssh.FingerprintSHA256(k2)
	dir := t.TempDir()
	cert.Serial = 42
	if err := cert.SignCert(rand.Reader, caSigner); err != nil {
		t.Fatal(err)
	}
	ann := &audit.Cert{ID: "ann", Serial: 42}
	tests := []struct {
		contents, want string
		cert           *audit.Cert
	}{
		{authLine(k1), fp1, nil},
		{"password\n" + authLine(k1), fp1, nil},
		{authLine(k1) + authLine(k2), fp1 + "," + fp2, nil},
		{authLine(cert), fp1, ann},
		{authLine(k2) + authLine(cert), fp2 + "," + fp1, ann},
		{"keyboard-interactive\n", "", nil},
		{"publickey ssh-ed25519 !!notbase64\n", "", nil},
		{"publickey ssh-rsa " + base64.StdEncoding.EncodeToString(k1.Marshal()) + "\n", "", nil}, // type mismatch
		{"", "", nil},
	}
	for i, tt := range tests {
		p := filepath.Join(dir, "auth"+string(rune('a'+i)))
		if err := os.WriteFile(p, []byte(tt.contents), 0o600); err != nil {
			t.Fatal(err)
		}
		got, gotCert, _ := keyFromUserAuth(p)
		if got != tt.want || !reflect.DeepEqual(gotCert, tt.cert) {
			t.Errorf("keyFromUserAuth(%q) = %q, %+v; want %q, %+v", tt.contents, got, gotCert, tt.want, tt.cert)
		}
	}
	if got, cert, until := keyFromUserAuth(filepath.Join(dir, "missing")); got != "" || cert != nil || !until.IsZero() {
		t.Errorf("missing file: %q, %+v", got, cert)
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
		if got := clientFromSSHConnection(in); got != want {
			t.Errorf("clientFromSSHConnection(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIdentityFromEnv(t *testing.T) {
	k, _ := newKey(t)
	p := filepath.Join(t.TempDir(), "auth")
	os.WriteFile(p, []byte(authLine(k)), 0o600)
	env := map[string]string{"SSH_USER_AUTH": p, "SSH_CONNECTION": "198.51.100.4 4444 192.0.2.1 22"}
	id := identityFromEnv(func(k string) string { return env[k] })
	if id.Key != ssh.FingerprintSHA256(k) || id.Client != "198.51.100.4:4444" || id.Cert != nil {
		t.Errorf("identityFromEnv = %+v", id)
	}
	if id := identityFromEnv(func(string) string { return "" }); id != (subsystem.Identity{}) {
		t.Errorf("identityFromEnv(empty) = %+v", id)
	}
}

// FuzzKeysFromUserAuth checks the SSH_USER_AUTH parser: no panic, and a
// result made only of fingerprints.
func FuzzKeysFromUserAuth(f *testing.F) {
	f.Add([]byte("publickey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbZ8sDq2f9G3u6l0u2wCy1n1m2KxZ4hZcQYxM2b3d4e\n"))
	f.Add([]byte("password\npublickey x y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, _, _ := keysFromUserAuth(data)
		if out == "" {
			return
		}
		for _, fp := range strings.Split(out, ",") {
			if !strings.HasPrefix(fp, "SHA256:") {
				t.Fatalf("not a fingerprint: %q", fp)
			}
			for _, c := range fp[len("SHA256:"):] {
				if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
					t.Fatalf("fingerprint %q holds %q", fp, c)
				}
			}
		}
	})
}
