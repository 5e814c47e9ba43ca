package authorize

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// fakePrompter answers password prompts with pass.
type fakePrompter struct {
	pass    string
	prompts []string
}

func (p *fakePrompter) Password(prompt string) (string, error) {
	p.prompts = append(p.prompts, prompt)
	return p.pass, nil
}
func (p *fakePrompter) Confirm(string) (bool, error) { return false, nil }

func TestLoadCAKey(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "ca")
	pub, err := sshdtest.WriteKey(plain)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := LoadCAKey(plain, nil); err != nil || !bytes.Equal(s.PublicKey().Marshal(), pub.Marshal()) {
		t.Fatalf("plain CA key: %v", err)
	}
	// The same key with a passphrase.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "ca", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	enc := filepath.Join(dir, "ca_enc")
	if err := os.WriteFile(enc, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &fakePrompter{pass: "secret"}
	if _, err := LoadCAKey(enc, p); err != nil || len(p.prompts) != 1 || !strings.Contains(p.prompts[0], enc) {
		t.Errorf("encrypted CA key: %v, prompts %q", err, p.prompts)
	}
	if _, err := LoadCAKey(enc, &fakePrompter{pass: "wrong"}); err == nil {
		t.Error("a wrong passphrase opened the CA key")
	}
	if _, err := LoadCAKey(enc, nil); err == nil || !strings.Contains(err.Error(), "no terminal") {
		t.Errorf("encrypted CA key without a prompter: %v", err)
	}
	if _, err := LoadCAKey(plain+".pub", nil); err == nil || !strings.Contains(err.Error(), "give the CA's private key") {
		t.Errorf("public key as CA: %v", err)
	}
	if _, err := LoadCAKey(filepath.Join(dir, "missing"), nil); err == nil {
		t.Error("missing CA key file accepted")
	}
}
