package sshdial

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

const dtPassphrase = "open sesame"

// dtEncryptedKey is one passphrase-protected ED25519 key for the whole test
// binary: the bcrypt KDF makes each encryption slow, more so under -race.
var dtEncryptedKey = sync.OnceValues(func() (ed25519.PrivateKey, []byte) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(k, "test key", []byte(dtPassphrase))
	if err != nil {
		panic(err)
	}
	return k, pem.EncodeToMemory(block)
})

// encryptedIdentity writes dtEncryptedKey as ~/.ssh/name and returns it.
func (e *dtEnv) encryptedIdentity(t *testing.T, name string) ed25519.PrivateKey {
	t.Helper()
	k, data := dtEncryptedKey()
	if err := os.WriteFile(filepath.Join(e.sshDir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDialEncryptedIdentity(t *testing.T) {
	e := dtNewEnv(t)
	key := e.encryptedIdentity(t, "id_ed25519")
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}})
	e.writeConfig(t, dtHostBlock("srv", s))
	e.trust(t, s)
	path := filepath.Join(e.sshDir, "id_ed25519")

	p := &dtPrompter{passwords: []string{"wrong", dtPassphrase}}
	cfg := e.dialConfig()
	cfg.Prompter = p
	c := dtDial(t, "srv", cfg)
	dtRun(t, c)
	want := []string{
		"Enter passphrase for key '" + path + "': ",
		"Bad passphrase, try again for " + path + ": ",
	}
	if got := p.shown(); !slices.Equal(got, want) {
		t.Errorf("prompts %q, want %q", got, want)
	}
}

func TestDialEncryptedIdentityNonInteractive(t *testing.T) {
	e := dtNewEnv(t)
	key := e.encryptedIdentity(t, "id_ed25519")
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}})
	e.trust(t, s)
	for _, tt := range []struct {
		name     string
		extra    []string
		prompter Prompter
	}{
		{"no prompter", nil, nil},
		{"BatchMode", []string{"BatchMode yes"}, &dtPrompter{passwords: []string{dtPassphrase}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.writeConfig(t, dtHostBlock("srv", s, tt.extra...))
			cfg := e.dialConfig()
			cfg.Prompter = tt.prompter
			_, err := Dial(context.Background(), "srv", cfg)
			if !errors.Is(err, ErrAuth) {
				t.Fatalf("Dial: %v, want ErrAuth", err)
			}
			if !strings.Contains(err.Error(), "id_ed25519: it needs a passphrase") {
				t.Errorf("error %q does not say why the key was skipped", err)
			}
			if p, ok := tt.prompter.(*dtPrompter); ok && len(p.shown()) != 0 {
				t.Errorf("prompted in BatchMode: %q", p.shown())
			}
			if !strings.Contains(Hint(err), "ssh-add -l") {
				t.Errorf("Hint %q", Hint(err))
			}
		})
	}
}

// The passphrase is asked only for a key the server accepts, and an empty
// answer skips the key without giving up.
func TestDialPassphraseOnlyWhenNeeded(t *testing.T) {
	e := dtNewEnv(t)
	e.encryptedIdentity(t, "id_ed25519")  // not authorized
	good := e.identity(t, "id_ecdsa", "") // a default name; authorized
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, good)}})
	e.writeConfig(t, dtHostBlock("srv", s))
	e.trust(t, s)
	p := &dtPrompter{}
	cfg := e.dialConfig()
	cfg.Prompter = p
	dtDial(t, "srv", cfg)
	if len(p.shown()) != 0 {
		t.Errorf("prompted: %q", p.shown())
	}

	// Authorized but the user gives no passphrase: skipped, next key.
	e2 := dtNewEnv(t)
	k1 := e2.encryptedIdentity(t, "id_ed25519")
	k2 := e2.identity(t, "id_ecdsa", "")
	s2 := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, k1), dtPub(t, k2)}})
	e2.writeConfig(t, dtHostBlock("srv", s2))
	e2.trust(t, s2)
	p = &dtPrompter{passwords: []string{""}}
	cfg = e2.dialConfig()
	cfg.Prompter = p
	dtDial(t, "srv", cfg)
	if len(p.shown()) != 1 {
		t.Errorf("prompts %q, want one", p.shown())
	}
}

func TestDialEncryptedRSAIdentity(t *testing.T) {
	e := dtNewEnv(t)
	k := dtRSA(t)
	dtWriteKey(t, filepath.Join(e.sshDir, "id_rsa"), k, "rsa pass")
	// RSA signs with rsa-sha2-* through the passphrase-asking signer.
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, k)}})
	e.writeConfig(t, dtHostBlock("srv", s))
	e.trust(t, s)
	cfg := e.dialConfig()
	cfg.Prompter = &dtPrompter{passwords: []string{"rsa pass"}}
	dtRun(t, dtDial(t, "srv", cfg))
}

func TestDialAgent(t *testing.T) {
	e := dtNewEnv(t)
	key := dtNewKey(t)
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}})
	e.writeConfig(t, dtHostBlock("srv", s))
	e.trust(t, s)
	t.Setenv("SSH_AUTH_SOCK", dtStartAgent(t, dtNewKey(t), key))
	c := dtDial(t, "srv", e.dialConfig())
	if got := dtRun(t, c); got != "srv: hello alice\n" {
		t.Errorf("output %q", got)
	}

	// IdentityAgent none: the agent is not used.
	e.writeConfig(t, dtHostBlock("srv", s, "IdentityAgent none"))
	if _, err := Dial(context.Background(), "srv", e.dialConfig()); !errors.Is(err, ErrAuth) {
		t.Errorf("IdentityAgent none: %v", err)
	}
	// IdentityAgent names a socket.
	t.Setenv("SSH_AUTH_SOCK", "")
	e.writeConfig(t, dtHostBlock("srv", s, "IdentityAgent "+dtStartAgent(t, key)))
	dtDial(t, "srv", e.dialConfig())
	// A dead socket is noted, not fatal.
	e.writeConfig(t, dtHostBlock("srv", s, "IdentityAgent "+filepath.Join(t.TempDir(), "gone.sock")))
	if _, err := Dial(context.Background(), "srv", e.dialConfig()); !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "not using ssh-agent") {
		t.Errorf("dead agent: %v", err)
	}
}

func TestDialIdentitiesOnlyAgent(t *testing.T) {
	e := dtNewEnv(t)
	other, chosen := dtNewKey(t), dtNewKey(t)
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, chosen), dtPub(t, other)}})
	// Only the public half of the chosen key is on disk.
	os.WriteFile(filepath.Join(e.sshDir, "chosen.pub"), ssh.MarshalAuthorizedKey(dtPub(t, chosen)), 0o644)
	e.writeConfig(t, dtHostBlock("srv", s, "IdentitiesOnly yes", "IdentityFile ~/.ssh/chosen"))
	e.trust(t, s)
	t.Setenv("SSH_AUTH_SOCK", dtStartAgent(t, other, chosen))

	dtDial(t, "srv", e.dialConfig())
	offered, _, _ := s.stats()
	if slices.Contains(offered, ssh.FingerprintSHA256(dtPub(t, other))) {
		t.Errorf("IdentitiesOnly: the other agent key was offered")
	}
	if !slices.Contains(offered, ssh.FingerprintSHA256(dtPub(t, chosen))) {
		t.Errorf("the chosen key was not offered: %v", offered)
	}
}

// An agent key that is also an identity file is offered once, through the
// agent, so its passphrase is never asked.
func TestDialAgentBeforeFile(t *testing.T) {
	e := dtNewEnv(t)
	key := e.encryptedIdentity(t, "id_ed25519")
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}})
	e.writeConfig(t, dtHostBlock("srv", s))
	e.trust(t, s)
	t.Setenv("SSH_AUTH_SOCK", dtStartAgent(t, key))
	p := &dtPrompter{}
	cfg := e.dialConfig()
	cfg.Prompter = p
	dtDial(t, "srv", cfg)
	if len(p.shown()) != 0 {
		t.Errorf("prompted: %q", p.shown())
	}
}

func TestDialPassword(t *testing.T) {
	e := dtNewEnv(t)
	s := dtStartServer(t, "srv", dtServerOptions{password: "hunter2"})
	e.writeConfig(t, dtHostBlock("srv", s))
	e.trust(t, s)

	p := &dtPrompter{passwords: []string{"wrong", "hunter2"}}
	cfg := e.dialConfig()
	cfg.Prompter = p
	dtRun(t, dtDial(t, "srv", cfg))
	want := []string{"alice@srv's password: ", "Permission denied, please try again.\nalice@srv's password: "}
	if got := p.shown(); !slices.Equal(got, want) {
		t.Errorf("prompts %q, want %q", got, want)
	}

	// Never without a Prompter or in BatchMode.
	for _, extra := range []string{"", "BatchMode yes"} {
		e.writeConfig(t, dtHostBlock("srv", s, extra))
		p := &dtPrompter{passwords: []string{"hunter2"}}
		cfg := e.dialConfig()
		if extra != "" {
			cfg.Prompter = p
		}
		_, err := Dial(context.Background(), "srv", cfg)
		if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "the server accepts password") {
			t.Errorf("%q: %v", extra, err)
		}
		if len(p.shown()) != 0 {
			t.Errorf("%q: prompted %q", extra, p.shown())
		}
	}

	// PasswordAuthentication no.
	e.writeConfig(t, dtHostBlock("srv", s, "PasswordAuthentication no"))
	cfg = e.dialConfig()
	p = &dtPrompter{passwords: []string{"hunter2"}}
	cfg.Prompter = p
	if _, err := Dial(context.Background(), "srv", cfg); !errors.Is(err, ErrAuth) || len(p.shown()) != 0 {
		t.Errorf("PasswordAuthentication no: %v, prompts %q", err, p.shown())
	}

	// Three wrong passwords (NumberOfPasswordPrompts), then failure.
	e.writeConfig(t, dtHostBlock("srv", s))
	p = &dtPrompter{passwords: []string{"a", "b", "c", "d"}}
	cfg.Prompter = p
	_, err := Dial(context.Background(), "srv", cfg)
	if !errors.Is(err, ErrAuth) || len(p.shown()) != 3 || !strings.Contains(err.Error(), "password (3 times)") {
		t.Errorf("wrong passwords: %v, %d prompts", err, len(p.shown()))
	}
}

func TestDialPromptFailureStops(t *testing.T) {
	e := dtNewEnv(t)
	s := dtStartServer(t, "srv", dtServerOptions{password: "hunter2"})
	e.writeConfig(t, dtHostBlock("srv", s))
	e.trust(t, s)
	cfg := e.dialConfig()
	p := &dtPrompter{} // fails at once, like Ctrl-D
	cfg.Prompter = p
	_, err := Dial(context.Background(), "srv", cfg)
	if err == nil || !strings.Contains(err.Error(), "no more answers") || len(p.shown()) != 1 {
		t.Errorf("Dial: %v, prompts %q", err, p.shown())
	}
}

func TestDialKeyboardInteractive(t *testing.T) {
	e := dtNewEnv(t)
	s := dtStartServer(t, "srv", dtServerOptions{kbdAnswer: "42"})
	e.writeConfig(t, dtHostBlock("srv", s))
	e.trust(t, s)
	p := &dtPrompter{passwords: []string{"42"}}
	cfg := e.dialConfig()
	cfg.Prompter = p
	dtDial(t, "srv", cfg)
	got := p.shown()
	if len(got) != 1 || got[0] != `weblog test`+"\n"+`Answer the \x1b[31mquestion\x1b[0m.`+"\n"+`Code: ` {
		t.Errorf("prompts %q (control bytes from the server must not reach the terminal)", got)
	}
}

func TestDialIdentityFiles(t *testing.T) {
	e := dtNewEnv(t)
	key := dtNewKey(t)
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}})
	e.writeConfig(t, dtHostBlock("srv", s, "IdentityFile ~/.ssh/missing_from_config"))
	e.trust(t, s)
	cli := filepath.Join(e.home, "cli_key")
	dtWriteKey(t, cli, key, "")

	// An identity file from the command line is used; one from ssh_config
	// that does not exist is skipped silently.
	cfg := e.dialConfig()
	cfg.IdentityFiles = []string{"~/cli_key"}
	dtDial(t, "srv", cfg)

	// A missing one named on the command line is an error.
	cfg.IdentityFiles = []string{"~/nope"}
	_, err := Dial(context.Background(), "srv", cfg)
	if err == nil || errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), filepath.Join(e.home, "nope")) {
		t.Errorf("missing -i file: %v", err)
	}

	// A key readable by others is refused, loudly, like ssh does.
	os.Chmod(cli, 0o644)
	cfg.IdentityFiles = []string{"~/cli_key"}
	_, err = Dial(context.Background(), "srv", cfg)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "too open") || !strings.Contains(e.stderr.String(), "chmod 600") {
		t.Errorf("key mode 0644: %v; stderr %q", err, e.stderr)
	}

	// Garbage is skipped with a note.
	os.Chmod(cli, 0o600)
	os.WriteFile(cli, []byte("not a key"), 0o600)
	_, err = Dial(context.Background(), "srv", cfg)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "not a usable private key") {
		t.Errorf("garbage key: %v", err)
	}
}

func TestAuthErrorMessage(t *testing.T) {
	err := &authError{
		user:    "bob",
		tried:   []string{"agent key ED25519 SHA256:x", "password", "password"},
		notes:   []string{"skipped /k: it needs a passphrase"},
		allowed: []string{"publickey", "password"},
	}
	want := "authentication as bob failed: tried agent key ED25519 SHA256:x, password (2 times); the server accepts publickey, password; skipped /k: it needs a passphrase"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err.Error(), want)
	}
	if !errors.Is(err, ErrAuth) {
		t.Error("not ErrAuth")
	}
	cause := errors.New("ssh: disconnect, reason 2: Too many authentication failures")
	err.cause = cause
	if !errors.Is(err, cause) || !errors.Is(err, ErrAuth) {
		t.Error("cause not wrapped")
	}
}
