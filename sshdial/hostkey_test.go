package sshdial

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// dtRSAKey is one RSA key for the whole test binary: generating them is
// slow.
var dtRSAKey = sync.OnceValues(func() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
})

func dtRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := dtRSAKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// dtHostKeySetup is a server whose host key is not in known_hosts and a
// client key it accepts.
func dtHostKeySetup(t *testing.T, extra ...string) (*dtEnv, *dtServer) {
	t.Helper()
	e := dtNewEnv(t)
	key := e.identity(t, "id_ed25519", "")
	s := dtStartServer(t, "srv", dtServerOptions{authorized: []ssh.PublicKey{dtPub(t, key)}})
	e.writeConfig(t, dtHostBlock("srv", s, extra...))
	return e, s
}

func TestDialUnknownHostRefused(t *testing.T) {
	tests := []struct {
		name     string
		extra    []string
		prompter *dtPrompter
		reason   string
	}{
		{"non-interactive", nil, nil, "no terminal"},
		{"BatchMode", []string{"BatchMode yes"}, &dtPrompter{confirm: true}, "BatchMode"},
		{"StrictHostKeyChecking yes", []string{"StrictHostKeyChecking yes"}, &dtPrompter{confirm: true}, "StrictHostKeyChecking is yes"},
		{"user says no", nil, &dtPrompter{confirm: false}, "did not accept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, s := dtHostKeySetup(t, tt.extra...)
			cfg := e.dialConfig()
			if tt.prompter != nil {
				cfg.Prompter = tt.prompter
			}
			_, err := Dial(context.Background(), "srv", cfg)
			if !errors.Is(err, ErrHostKeyUnknown) {
				t.Fatalf("Dial: %v, want ErrHostKeyUnknown", err)
			}
			var hk *HostKeyError
			if !errors.As(err, &hk) || hk.Host != s.knownName() || hk.Key == nil {
				t.Fatalf("error %#v", err)
			}
			for _, want := range []string{"host key", s.knownName(), ssh.FingerprintSHA256(s.hostKeys[0].PublicKey()), tt.reason} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if tt.prompter != nil && tt.name != "user says no" && tt.prompter.confirms != 0 {
				t.Errorf("asked %d times", tt.prompter.confirms)
			}
			if _, err := os.Stat(e.knownHosts); !os.IsNotExist(err) {
				t.Errorf("known_hosts written: %v", err)
			}
			if _, users, _ := s.stats(); len(users) != 0 {
				t.Errorf("logged in as %v", users)
			}
			if !strings.Contains(Hint(err), "ssh-keyscan") {
				t.Errorf("Hint: %q", Hint(err))
			}
		})
	}
}

// TestHintNamesKnownHostsFile checks that the hints name the known_hosts
// file ssh_config chose, not ~/.ssh/known_hosts.
func TestHintNamesKnownHostsFile(t *testing.T) {
	kh := filepath.Join(t.TempDir(), "team_known_hosts")
	e, s := dtHostKeySetup(t, "UserKnownHostsFile "+kh)
	_, err := Dial(context.Background(), "srv", e.dialConfig())
	if !errors.Is(err, ErrHostKeyUnknown) {
		t.Fatalf("Dial: %v, want ErrHostKeyUnknown", err)
	}
	if h := Hint(err); !strings.Contains(h, ">> "+kh+" ") {
		t.Errorf("unknown host: Hint %q does not name %s", h, kh)
	}

	// A changed key: the hint's ssh-keygen -f names the file holding the
	// old key.
	other := dtSigner(t, dtNewKey(t)).PublicKey()
	if err := os.WriteFile(kh, []byte(knownhosts.Line([]string{s.knownName()}, other)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Dial(context.Background(), "srv", e.dialConfig())
	if !errors.Is(err, ErrHostKeyChanged) {
		t.Fatalf("Dial: %v, want ErrHostKeyChanged", err)
	}
	if h := Hint(err); !strings.Contains(h, "-f "+kh) {
		t.Errorf("changed key: Hint %q does not name %s", h, kh)
	}
}

func TestDialAcceptNew(t *testing.T) {
	for _, mode := range []string{"accept-new", "no", "off"} {
		t.Run(mode, func(t *testing.T) {
			// The known_hosts file and its directory do not exist yet.
			e, s := dtHostKeySetup(t, "StrictHostKeyChecking "+mode, "UserKnownHostsFile ~/new/known_hosts")
			dtDial(t, "srv", e.dialConfig())
			file := filepath.Join(e.home, "new", "known_hosts")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := knownhosts.Line([]string{s.knownName()}, s.hostKeys[0].PublicKey()) + "\n"
			if string(data) != want {
				t.Errorf("known_hosts:\n%s\nwant:\n%s", data, want)
			}
			if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
				t.Errorf("known_hosts mode %v", st.Mode())
			}
			if st, _ := os.Stat(filepath.Dir(file)); st.Mode().Perm() != 0o700 {
				t.Errorf("directory mode %v", st.Mode())
			}
			if !strings.Contains(e.stderr.String(), "permanently added "+s.knownName()) {
				t.Errorf("no warning; stderr %q", e.stderr)
			}

			// The key is now known: the strictest settings connect.
			e.writeConfig(t, dtHostBlock("srv", s, "StrictHostKeyChecking yes", "BatchMode yes", "UserKnownHostsFile ~/new/known_hosts"))
			dtDial(t, "srv", e.dialConfig())
		})
	}
}

func TestDialAskUnknownHost(t *testing.T) {
	e, s := dtHostKeySetup(t)
	p := &dtPrompter{confirm: true}
	cfg := e.dialConfig()
	cfg.Prompter = p
	dtDial(t, "srv", cfg)
	shown := p.shown()
	if len(shown) != 1 || !strings.Contains(shown[0], ssh.FingerprintSHA256(s.hostKeys[0].PublicKey())) ||
		!strings.Contains(shown[0], "ED25519 key fingerprint is SHA256:") || !strings.Contains(shown[0], "(yes/no)") {
		t.Errorf("prompts %q", shown)
	}
	data, err := os.ReadFile(e.knownHosts)
	if err != nil || !strings.HasPrefix(string(data), s.knownName()+" ssh-ed25519 ") {
		t.Errorf("known_hosts %q, %v", data, err)
	}
	// Known now: no second question.
	dtDial(t, "srv", cfg)
	if len(p.shown()) != 1 {
		t.Errorf("asked again: %q", p.shown())
	}
}

func TestDialHashedKnownHosts(t *testing.T) {
	e, s := dtHostKeySetup(t, "StrictHostKeyChecking yes")
	e.addKnownHost(t, knownhosts.Line([]string{knownhosts.HashHostname(s.knownName())}, s.hostKeys[0].PublicKey()))
	dtDial(t, "srv", e.dialConfig())

	// HashKnownHosts yes writes hashed entries, which are then found.
	e, s = dtHostKeySetup(t, "StrictHostKeyChecking accept-new", "HashKnownHosts yes")
	dtDial(t, "srv", e.dialConfig())
	data, _ := os.ReadFile(e.knownHosts)
	if !strings.HasPrefix(string(data), "|1|") || strings.Contains(string(data), "127.0.0.1") {
		t.Errorf("known_hosts not hashed: %q", data)
	}
	e.writeConfig(t, dtHostBlock("srv", s, "StrictHostKeyChecking yes"))
	dtDial(t, "srv", e.dialConfig())
}

func TestDialChangedHostKey(t *testing.T) {
	// Even with StrictHostKeyChecking=no and a user who says yes to
	// everything, a changed key is refused.
	e, s := dtHostKeySetup(t, "StrictHostKeyChecking no")
	e.addKnownHost(t, "# a comment line")
	old := dtPub(t, dtNewKey(t))
	e.addKnownHost(t, knownhosts.Line([]string{s.knownName()}, old))
	p := &dtPrompter{confirm: true, passwords: []string{"x"}}
	cfg := e.dialConfig()
	cfg.Prompter = p

	_, err := Dial(context.Background(), "srv", cfg)
	if !errors.Is(err, ErrHostKeyChanged) {
		t.Fatalf("Dial: %v, want ErrHostKeyChanged", err)
	}
	for _, want := range []string{"host key", "CHANGED", e.knownHosts + ":2", ssh.FingerprintSHA256(old), ssh.FingerprintSHA256(s.hostKeys[0].PublicKey())} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if !strings.Contains(e.stderr.String(), "REMOTE HOST IDENTIFICATION HAS CHANGED") {
		t.Errorf("no loud warning; stderr %q", e.stderr)
	}
	if len(p.shown()) != 0 {
		t.Errorf("prompted: %q", p.shown())
	}
	if _, users, _ := s.stats(); len(users) != 0 {
		t.Errorf("logged in as %v", users)
	}
	data, _ := os.ReadFile(e.knownHosts)
	if strings.Count(string(data), "\n") != 2 {
		t.Errorf("known_hosts changed:\n%s", data)
	}
	if want := "ssh-keygen -R '" + s.knownName() + "' -f " + e.knownHosts; !strings.Contains(Hint(err), want) {
		t.Errorf("Hint %q does not contain %q", Hint(err), want)
	}

	// InsecureIgnoreHostKey is the one way past it.
	cfg.InsecureIgnoreHostKey = true
	dtDial(t, "srv", cfg)
}

// TestDialHostKeyAlgorithmPitfall: the server has ED25519 and RSA host
// keys and known_hosts holds only one of them. x/crypto negotiates its own
// preference (RSA before ED25519) and would report a changed key for
// whichever type it does not prefer, unless HostKeyAlgorithms is
// restricted to what known_hosts holds.
func TestDialHostKeyAlgorithmPitfall(t *testing.T) {
	e := dtNewEnv(t)
	key := e.identity(t, "id_ed25519", "")
	rsaHost := dtSigner(t, dtRSA(t))
	edHost := dtSigner(t, dtNewKey(t))
	s := dtStartServer(t, "srv", dtServerOptions{
		authorized: []ssh.PublicKey{dtPub(t, key)},
		hostKeys:   []ssh.Signer{edHost, rsaHost},
	})
	e.writeConfig(t, dtHostBlock("srv", s, "StrictHostKeyChecking yes"))
	e.addKnownHost(t, knownhosts.Line([]string{s.knownName()}, rsaHost.PublicKey()))

	dtDial(t, "srv", e.dialConfig())
	if !strings.Contains(e.debug.String(), "host key algorithms [rsa-sha2-512 rsa-sha2-256 ssh-rsa]") {
		t.Errorf("debug output:\n%s", e.debug)
	}

	// And the other way round.
	os.WriteFile(e.knownHosts, nil, 0o600)
	e.addKnownHost(t, knownhosts.Line([]string{s.knownName()}, edHost.PublicKey()))
	dtDial(t, "srv", e.dialConfig())
}

// A server that no longer has a key of the type known_hosts holds is
// refused as a changed host key, not "unknown".
func TestDialKnownKeyTypeNotOffered(t *testing.T) {
	e, s := dtHostKeySetup(t, "StrictHostKeyChecking accept-new")
	e.addKnownHost(t, knownhosts.Line([]string{s.knownName()}, dtPub(t, dtRSA(t))))
	_, err := Dial(context.Background(), "srv", e.dialConfig())
	if !errors.Is(err, ErrHostKeyChanged) || !strings.Contains(err.Error(), "host key") || !strings.Contains(err.Error(), "ssh-ed25519") {
		t.Fatalf("Dial: %v, want ErrHostKeyChanged", err)
	}
}

func TestDialRevokedHostKey(t *testing.T) {
	e, s := dtHostKeySetup(t, "StrictHostKeyChecking accept-new")
	e.trust(t, s)
	e.addKnownHost(t, "@revoked * "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.hostKeys[0].PublicKey()))))
	_, err := Dial(context.Background(), "srv", e.dialConfig())
	if !errors.Is(err, ErrHostKeyRevoked) || !strings.Contains(err.Error(), "host key") || !strings.Contains(err.Error(), e.knownHosts+":2") {
		t.Fatalf("Dial: %v, want ErrHostKeyRevoked", err)
	}
}

func TestDialHostKeyAliasAndFiles(t *testing.T) {
	e, s := dtHostKeySetup(t, "HostKeyAlias web-alias", "UserKnownHostsFile ~/kh_first ~/.ssh/kh_second", "StrictHostKeyChecking yes")
	// A key stored under the alias, in the second file, is found.
	os.WriteFile(filepath.Join(e.sshDir, "kh_second"), []byte(knownhosts.Line([]string{"web-alias"}, s.hostKeys[0].PublicKey())+"\n"), 0o600)
	dtDial(t, "srv", e.dialConfig())

	// New keys go to the first file, under the alias.
	e.writeConfig(t, dtHostBlock("srv", s, "HostKeyAlias other-alias", "UserKnownHostsFile ~/kh_first ~/.ssh/kh_second", "StrictHostKeyChecking accept-new"))
	dtDial(t, "srv", e.dialConfig())
	data, err := os.ReadFile(filepath.Join(e.home, "kh_first"))
	if err != nil || !strings.HasPrefix(string(data), "other-alias ssh-ed25519 ") {
		t.Errorf("kh_first: %q, %v", data, err)
	}
}

func TestAppendKnownHost(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sub", "known_hosts")
	key := dtPub(t, dtNewKey(t))
	if err := appendKnownHost(file, "web1", key, false); err != nil {
		t.Fatal(err)
	}
	// A last line without a newline is not glued to.
	f, _ := os.OpenFile(file, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("# no newline")
	f.Close()
	if err := appendKnownHost(file, "[web2]:2222", key, false); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "web1 ssh-ed25519 ") || lines[1] != "# no newline" || !strings.HasPrefix(lines[2], "[web2]:2222 ssh-ed25519 ") {
		t.Errorf("known_hosts:\n%s", data)
	}
	if st, _ := os.Stat(filepath.Dir(file)); st.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v", st.Mode())
	}
}

func TestHostKeyAlgorithms(t *testing.T) {
	dir := t.TempDir()
	kh := filepath.Join(dir, "known_hosts")
	rsaPub := dtPub(t, dtRSA(t))
	edPub := dtPub(t, dtNewKey(t))
	os.WriteFile(kh, []byte(
		knownhosts.Line([]string{"both"}, rsaPub)+"\n"+
			knownhosts.Line([]string{"both"}, edPub)+"\n"+
			knownhosts.Line([]string{"[rsa]:2222"}, rsaPub)+"\n"), 0o600)
	algos := func(host string, port int) []string {
		hc := &hostConfig{alias: host, hostname: host, port: port, userKnownHosts: []string{kh}}
		c, err := newHostKeyChecker(hc, false, nil, nil, func(string, ...any) {})
		if err != nil {
			t.Fatal(err)
		}
		return c.algorithms()
	}
	if got, want := algos("both", 22), []string{"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"}; !slices.Equal(got, want) {
		t.Errorf("both: %v, want %v", got, want)
	}
	if got, want := algos("rsa", 2222), []string{"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}; !slices.Equal(got, want) {
		t.Errorf("rsa: %v, want %v", got, want)
	}
	// Unknown host: plain keys only, no certificates, no SHA-1.
	if got := algos("rsa", 22); len(got) == 0 || slices.Contains(got, "ssh-rsa") || slices.ContainsFunc(got, func(a string) bool { return strings.Contains(a, "cert") }) {
		t.Errorf("unknown host: %v", got)
	}
	// A @cert-authority line puts certificates first.
	f, _ := os.OpenFile(kh, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("@cert-authority *.example.com " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(edPub))) + "\n")
	f.Close()
	if got := algos("both", 22); !strings.Contains(got[0], "-cert-") || !slices.Contains(got, "ssh-ed25519") {
		t.Errorf("with a CA: %v", got)
	}
}
