package sshdial

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExpandTokens(t *testing.T) {
	tokens := map[byte]string{'h': "web1.example.com", 'u': "me", 'd': "/home/me", 'p': "22"}
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"%h", "web1.example.com"},
		{"%d/.ssh/id_%u@%h:%p", "/home/me/.ssh/id_me@web1.example.com:22"},
		{"100%%", "100%"},
		{"%%h", "%h"},
	}
	for _, tt := range tests {
		got, err := expandTokens(tt.in, tokens)
		if err != nil || got != tt.want {
			t.Errorf("expandTokens(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"%", "a%", "%x", "%C"} {
		if got, err := expandTokens(in, tokens); err == nil || got != "" {
			t.Errorf("expandTokens(%q) = %q, %v, want an error", in, got, err)
		}
	}
}

func FuzzExpandTokens(f *testing.F) {
	for _, s := range []string{"%h", "%%", "a%", "%d/%u", "x"} {
		f.Add(s)
	}
	tokens := map[byte]string{'h': "H", 'd': "/home/d"}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := expandTokens(s, tokens)
		if err != nil {
			if got != "" {
				t.Fatalf("expandTokens(%q) = %q with error %v", s, got, err)
			}
			return
		}
		if !strings.Contains(s, "%") && got != s {
			t.Fatalf("expandTokens(%q) = %q, want it unchanged", s, got)
		}
	})
}

func TestParseSSHTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"10", 10 * time.Second},
		{"10s", 10 * time.Second},
		{"1m30s", 90 * time.Second},
		{"1m30", 90 * time.Second},
		{"2h", 2 * time.Hour},
		{"1w", 7 * 24 * time.Hour},
		{"1D", 24 * time.Hour},
	}
	for _, tt := range tests {
		got, err := parseSSHTime(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseSSHTime(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "s", "-1", "1x", "1.5", "10 s", "999999999w", "53w"} {
		if got, err := parseSSHTime(in); err == nil || got != 0 {
			t.Errorf("parseSSHTime(%q) = %v, %v, want an error", in, got, err)
		}
	}
}

func FuzzParseSSHTime(f *testing.F) {
	for _, s := range []string{"10", "1m30s", "1w", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseSSHTime(s)
		if err != nil && got != 0 {
			t.Fatalf("parseSSHTime(%q) = %v with error %v", s, got, err)
		}
		if got < 0 || got > 365*24*time.Hour {
			t.Fatalf("parseSSHTime(%q) = %v", s, got)
		}
	})
}

var testLocalEnv = localEnv{home: "/home/me", user: "me", uid: "1000", hostname: "box.example.org"}

// resolveFrom writes config to a file and resolves host through it.
func resolveFrom(t *testing.T, config, host string, ov *resolveOverrides) (*hostConfig, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	env := testLocalEnv
	c, err := loadSSHConfig(&env, path, "")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := parseHostArg(host)
	if err != nil {
		t.Fatal(err)
	}
	return resolveHost(c, &env, tg, ov)
}

const resolveTestConfig = `
Host web1
  HostName %h.Example.com
  Port 2222
  User alice
  IdentityFile ~/.ssh/id_web1
  IdentityFile %d/keys/%u-%r@%h:%p
  IdentitiesOnly yes
  UserKnownHostsFile ~/.ssh/kh1 /tmp/kh2
  StrictHostKeyChecking accept-new
  BatchMode yes
  ConnectTimeout 1m30s
  ProxyJump bastion,bob@jump2:2200
  HashKnownHosts yes
  IdentityAgent none

Host bastion
  HostName 10.0.0.1
  ProxyJump none

Host strict
  StrictHostKeyChecking yes
  UserKnownHostsFile none

Host nope
  StrictHostKeyChecking maybe

Host badport
  Port 99999

Host viacommand
  ProxyCommand nc %h %p

Host *
  IdentityFile ~/.ssh/id_all
  Port 22
  User nobody
  GlobalKnownHostsFile none
`

func TestResolveAlias(t *testing.T) {
	hc, err := resolveFrom(t, resolveTestConfig, "web1", nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	check("hostname", hc.hostname, "web1.example.com")
	check("port", hc.port, 2222)
	check("user", hc.user, "alice")
	check("addr", hc.addr(), "web1.example.com:2222")
	check("identityFiles", hc.identityFiles, []identitySpec{
		{path: "/home/me/.ssh/id_web1"},
		{path: "/home/me/keys/me-alice@web1.example.com:2222"},
		{path: "/home/me/.ssh/id_all"},
	})
	check("identitiesOnly", hc.identitiesOnly, true)
	check("identityAgent", hc.identityAgent, "")
	check("userKnownHosts", hc.userKnownHosts, []string{"/home/me/.ssh/kh1", "/tmp/kh2"})
	check("globalKnownHosts", hc.globalKnownHosts, []string{})
	check("strict", hc.strict, strictAcceptNew)
	check("batchMode", hc.batchMode, true)
	check("hashKnownHosts", hc.hashKnownHosts, true)
	check("connectTimeout", hc.connectTimeout, 90*time.Second)
	check("proxyJump", hc.proxyJump, []hostArg{{host: "bastion"}, {user: "bob", host: "jump2", port: 2200}})
	check("passwordPrompts", hc.passwordPrompts, 3)
}

func TestResolveOverridesWin(t *testing.T) {
	hc, err := resolveFrom(t, resolveTestConfig, "bob@web1:2200", &resolveOverrides{
		user:          "carol",
		port:          2022,
		identityFiles: []string{"~/cli_key"},
		proxyJump:     "none",
	})
	if err != nil {
		t.Fatal(err)
	}
	if hc.user != "carol" || hc.port != 2022 || hc.proxyJump != nil {
		t.Errorf("user %q port %d proxyJump %v, want carol 2022 none", hc.user, hc.port, hc.proxyJump)
	}
	if len(hc.identityFiles) != 4 || hc.identityFiles[0] != (identitySpec{path: "/home/me/cli_key", explicit: true}) {
		t.Errorf("identityFiles = %v, want the command-line one first", hc.identityFiles)
	}

	// Without overrides, user@ and :port from the HOST argument win.
	hc, err = resolveFrom(t, resolveTestConfig, "bob@web1:2200", nil)
	if err != nil {
		t.Fatal(err)
	}
	if hc.user != "bob" || hc.port != 2200 {
		t.Errorf("user %q port %d, want bob 2200", hc.user, hc.port)
	}
}

func TestResolveDefaults(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "/tmp/agent.sock")
	hc, err := resolveFrom(t, "", "Other.Example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &hostConfig{
		alias:    "Other.Example.com",
		hostname: "other.example.com",
		port:     22,
		user:     "me",
		identityFiles: []identitySpec{
			{path: "/home/me/.ssh/id_ed25519"},
			{path: "/home/me/.ssh/id_ecdsa"},
			{path: "/home/me/.ssh/id_rsa"},
		},
		identityAgent:    "/tmp/agent.sock",
		userKnownHosts:   []string{"/home/me/.ssh/known_hosts", "/home/me/.ssh/known_hosts2"},
		globalKnownHosts: []string{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"},
		strict:           strictAsk,
		pubkeyAuth:       true,
		passwordAuth:     true,
		kbdInteractive:   true,
		passwordPrompts:  3,
	}
	if !reflect.DeepEqual(hc, want) {
		t.Errorf("resolve defaults:\n got %+v\nwant %+v", hc, want)
	}
}

func TestResolveJumpHost(t *testing.T) {
	hc, err := resolveFrom(t, resolveTestConfig, "bastion", nil)
	if err != nil {
		t.Fatal(err)
	}
	if hc.addr() != "10.0.0.1:22" || hc.user != "nobody" || hc.proxyJump != nil {
		t.Errorf("bastion: addr %s user %s proxyJump %v", hc.addr(), hc.user, hc.proxyJump)
	}
	hc, err = resolveFrom(t, resolveTestConfig, "strict", nil)
	if err != nil {
		t.Fatal(err)
	}
	if hc.strict != strictYes || len(hc.userKnownHosts) != 0 {
		t.Errorf("strict: %v %v", hc.strict, hc.userKnownHosts)
	}
}

func TestResolveErrors(t *testing.T) {
	for host, want := range map[string]string{
		"nope":       "StrictHostKeyChecking",
		"badport":    "Port",
		"viacommand": "ProxyCommand",
	} {
		_, err := resolveFrom(t, resolveTestConfig, host, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("resolve %s: error %v, want one about %s", host, err, want)
		}
	}
	_, err := resolveFrom(t, "Host x\n  HostName %z\n", "x", nil)
	if err == nil || !strings.Contains(err.Error(), "unknown token") {
		t.Errorf("HostName %%z: error %v", err)
	}
	_, err = resolveFrom(t, "Host x\n  ProxyJump a,,b\n", "x", nil)
	if err == nil || !strings.Contains(err.Error(), "ProxyJump") {
		t.Errorf("ProxyJump a,,b: error %v", err)
	}
}

func TestLoadSSHConfigFiles(t *testing.T) {
	dir := t.TempDir()
	env := testLocalEnv
	env.home = dir

	// A missing ~/.ssh/config is fine; a missing SystemConfigFile that was
	// named is not.
	if _, err := loadSSHConfig(&env, "", filepath.Join(dir, "no-system-config")); err == nil {
		t.Fatalf("a missing SystemConfigFile that was named explicitly should be an error")
	}
	c, err := loadSSHConfig(&env, "", "none")
	if err != nil || len(c.files) != 0 {
		t.Fatalf("no files: %v, %d files", err, len(c.files))
	}

	// A named file must exist (ssh -F).
	if _, err := loadSSHConfig(&env, filepath.Join(dir, "missing"), ""); err == nil {
		t.Errorf("missing -F file: no error")
	}
	// "none" reads nothing.
	if c, err := loadSSHConfig(&env, "none", ""); err != nil || len(c.files) != 0 {
		t.Errorf("none: %v, %d files", err, len(c.files))
	}

	// ~/.ssh/config first, then the system file: the first value wins.
	os.MkdirAll(filepath.Join(dir, ".ssh"), 0o700)
	user := filepath.Join(dir, ".ssh", "config")
	system := filepath.Join(dir, "system_config")
	os.WriteFile(user, []byte("Host web1\n  Port 2201\n"), 0o600)
	os.WriteFile(system, []byte("Host web1\n  Port 2202\n  User sys\n"), 0o644)
	c, err = loadSSHConfig(&env, "", system)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := resolveHost(c, &env, hostArg{host: "web1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hc.port != 2201 || hc.user != "sys" {
		t.Errorf("port %d user %s, want 2201 from ~/.ssh/config and sys from the system file", hc.port, hc.user)
	}

	// Like ssh, refuse a user config others can write.
	os.Chmod(user, 0o666)
	if _, err := loadSSHConfig(&env, "", "none"); err == nil || !strings.Contains(err.Error(), "permissions") {
		t.Errorf("group-writable ~/.ssh/config: error %v", err)
	}

	// Syntax errors are reported with the file name.
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("Match exec true\n"), 0o600)
	if _, err := loadSSHConfig(&env, bad, ""); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad config: error %v", err)
	}
}

func TestExpandTilde(t *testing.T) {
	for in, want := range map[string]string{
		"~":                       "/home/me",
		"~/":                      "/home/me",
		"~/x/y":                   "/home/me/x/y",
		"/abs":                    "/abs",
		"rel":                     "rel",
		"~nosuchuser-weblogctl/x": "~nosuchuser-weblogctl/x",
	} {
		if got := expandTilde(in, "/home/me"); got != want {
			t.Errorf("expandTilde(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSystemConfigInclude checks that a relative Include in the system
// file resolves under /etc/ssh, as in ssh (and in kevinburke/ssh_config's
// own loading of /etc/ssh/ssh_config), while the same line in a -F file
// resolves under ~/.ssh. It needs to write a directory in /etc/ssh.
func TestSystemConfigInclude(t *testing.T) {
	dir, err := os.MkdirTemp(systemConfigDir, "weblogctl-test-")
	if err != nil {
		t.Skipf("cannot write in %s (needs root): %v", systemConfigDir, err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	rel := filepath.Base(dir)
	system := filepath.Join(dir, "ssh_config")
	include := "Host web1\n  Include " + rel + "/extra.conf\n  User sys\n"
	if err := os.WriteFile(system, []byte(include), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "extra.conf"), []byte("Port 2207\nHostName included.example.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := testLocalEnv
	env.home = t.TempDir()

	c, err := loadSSHConfig(&env, "", system)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := resolveHost(c, &env, hostArg{host: "web1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hc.port != 2207 || hc.hostname != "included.example.org" || hc.user != "sys" {
		t.Errorf("system file: %s user %s, want included.example.org:2207 from %s/extra.conf and user sys", hc.addr(), hc.user, dir)
	}

	// The same file given as -F is a user file: ssh looks for its relative
	// Include under ~/.ssh, where there is none.
	c, err = loadSSHConfig(&env, system, "")
	if err != nil {
		t.Fatal(err)
	}
	hc, err = resolveHost(c, &env, hostArg{host: "web1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hc.port != 22 || hc.hostname != "web1" || hc.user != "sys" {
		t.Errorf("-F file: %s user %s, want web1:22 (the Include is not under ~/.ssh) and user sys", hc.addr(), hc.user)
	}

	// A syntax error in an included system file names the file.
	if err := os.WriteFile(filepath.Join(dir, "extra.conf"), []byte("Match exec true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSSHConfig(&env, "", system); err == nil || !strings.Contains(err.Error(), system) {
		t.Errorf("bad included file: error %v, want one naming %s", err, system)
	}
}
