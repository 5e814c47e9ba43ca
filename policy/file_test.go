package policy

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

const example = `# weblog-server policy
audit_log = "/var/log/weblog-server/audit.log"
sessions_dir = "/run/weblog-server"

[profiles.alice]
logs = { web = "/var/log/nginx/access.log", error = "/var/log/nginx/../nginx/error.log" }
verbs = ["follow", "filter"]        # default: every read verb
redact = ["ip", "query"]
max_bytes = 1_000_000_000
max_follow = "1h"
max_sessions = 4
idle_timeout = "10m"

[profiles.bob]
trust_symlinks = true

[profiles.bob.logs]
zeta = "/srv/z.log"
alpha = "/srv/a.log"
`

func TestParseFile(t *testing.T) {
	f, err := parseFile("policy.toml", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	if f.AuditLog != "/var/log/weblog-server/audit.log" || f.SessionsDir != "/run/weblog-server" || f.AuditSyslog {
		t.Errorf("server settings = %+v", f)
	}
	if got := f.Names(); !reflect.DeepEqual(got, []string{"alice", "bob"}) {
		t.Errorf("Names = %q", got)
	}
	alice, err := f.Profile("alice")
	if err != nil {
		t.Fatal(err)
	}
	want := &Profile{
		Name:        "alice",
		Logs:        []Log{{"web", "/var/log/nginx/access.log"}, {"error", "/var/log/nginx/error.log"}},
		Verbs:       []string{"follow", "filter"},
		Redact:      []string{"ip", "query"},
		MaxBytes:    1_000_000_000,
		MaxFollow:   time.Hour,
		MaxSessions: 4,
		IdleTimeout: 10 * time.Minute,
	}
	if !reflect.DeepEqual(alice, want) {
		t.Errorf("alice = %+v\nwant    %+v", alice, want)
	}
	bob, err := f.Profile("bob")
	if err != nil {
		t.Fatal(err)
	}
	// The file's order, not the alphabet's: the first log is the default.
	if !reflect.DeepEqual(bob.Logs, []Log{{"zeta", "/srv/z.log"}, {"alpha", "/srv/a.log"}}) || !bob.TrustSymlinks || bob.Verbs != nil {
		t.Errorf("bob = %+v", bob)
	}
	// Profile returns a copy.
	alice.Logs[0].Path = "/etc/shadow"
	alice.Verbs[0] = "cat"
	again, _ := f.Profile("alice")
	if again.Logs[0].Path != "/var/log/nginx/access.log" || again.Verbs[0] != "follow" {
		t.Error("changing a returned profile changed the file")
	}
	if _, err := f.Profile("carol"); err == nil || !strings.Contains(err.Error(), "alice, bob") {
		t.Errorf("Profile(carol) = %v", err)
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		doc, want string
	}{
		{"[profiles.a]\nlogs = { x = \"/x\" }\nmax_byte = 5\n", `line 3: unknown key profiles.a.max_byte`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\n\n[profiles.a.limits]\nmax = 1\n", `line 4: unknown key profiles.a.limits`},
		{"[profile.a]\nlogs = { x = \"/x\" }\n", `line 1: unknown key profile`},
		{"audit = \"/x\"\n", `line 1: unknown key audit`},
		{"[profiles.a]\nlogs = { x = \"/x\", y = { z = 1 } }\n", `line 2:`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\nmax_follow = 3600\n", `line 3:`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\nmax_follow = \"1 hour\"\n", `line 3: profiles.a.max_follow: not a duration like`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\nmax_bytes = \"1G\"\n", `line 3:`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\nmax_bytes = -1\n", `line 1: profile a: max bytes -1 is negative`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\nverbs = []\n", `empty verb list`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\nverbs = [\"rm\"]\n", `unknown verb "rm"`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\nredact = [\"cookies\"]\n", `unknown redaction key "cookies"`},
		{"[profiles.a]\nlogs = { x = \"x.log\" }\n", `PATH must be an absolute path`},
		{"[profiles.a]\nlogs = { \"../x\" = \"/x\" }\n", `invalid log name`},
		{"[profiles.a]\nverbs = [\"cat\"]\n", `profile a: no logs`},
		{"[profiles.\"a b\"]\nlogs = { x = \"/x\" }\n", `invalid profile name "a b"`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\n[profiles.a]\n", `line 3:`},
		{"audit_log = \"relative\"\n", `line 1: audit_log: "relative" is not an absolute path`},
		{"[profiles.a\n", `line 2:`},
		{"[profiles.a]\nlogs = { x = \"/x\" }\nmax_sessions = 1.5\n", `line 3: profiles.a.max_sessions: incompatible types`},
	}
	for _, tt := range tests {
		_, err := parseFile("p.toml", []byte(tt.doc))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "policy file p.toml: ") {
			t.Errorf("parseFile(%q) = %v, want an error containing %q", tt.doc, err, tt.want)
		}
	}
}

// writePolicy writes a policy file in a fresh directory of mode 0700.
func writePolicy(t *testing.T, mode os.FileMode) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "etc")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "policy.toml")
	if err := os.WriteFile(p, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFile(t *testing.T) {
	p := writePolicy(t, 0o644)
	f, err := LoadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Profile("alice"); err != nil {
		t.Error(err)
	}
}

func TestLoadFileRefusesUnsafe(t *testing.T) {
	check := func(path, want string) {
		t.Helper()
		_, err := LoadFile(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadFile(%s) = %v, want an error containing %q", path, err, want)
		}
	}
	check(writePolicy(t, 0o664), "writable by group or others (mode 0664)")
	check(writePolicy(t, 0o646), "writable by group or others")

	p := writePolicy(t, 0o600)
	if err := os.Chmod(filepath.Dir(p), 0o777); err != nil {
		t.Fatal(err)
	}
	check(p, "is writable by group or others (mode 0777)")

	p = writePolicy(t, 0o664)
	link := filepath.Join(filepath.Dir(p), "link.toml")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	check(link, p+": writable by group or others") // the target is checked

	loop := filepath.Join(filepath.Dir(p), "loop.toml")
	if err := os.Symlink("loop.toml", loop); err != nil {
		t.Fatal(err)
	}
	check(loop, "too many symbolic links")

	// A symlinked directory leading to a group-writable one.
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o700)
	os.Chmod(open, 0o775)
	os.WriteFile(filepath.Join(open, "policy.toml"), []byte(example), 0o644)
	dirLink := filepath.Join(filepath.Dir(p), "dirlink")
	if err := os.Symlink(open, dirLink); err != nil {
		t.Fatal(err)
	}
	check(filepath.Join(dirLink, "policy.toml"), "directory "+open+" is writable by group or others")

	fifo := filepath.Join(filepath.Dir(p), "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	check(fifo, "not a regular file") // and does not block
	check(filepath.Dir(p), "not a regular file")
	check(filepath.Join(filepath.Dir(p), "missing.toml"), "no such file")

	big := writePolicy(t, 0o600)
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	check(big, "larger than")

	if os.Geteuid() != 0 {
		t.Log("not root: skipping the foreign-owner cases")
		return
	}
	p = writePolicy(t, 0o644)
	if err := os.Chown(p, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	check(p, "owned by uid 65534, not by root or the running user")
	p = writePolicy(t, 0o644)
	if err := os.Chown(filepath.Dir(p), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	check(p, "is owned by uid 65534")

	// In a sticky world-writable directory (like /tmp) anyone may plant
	// a symlink: only those of root and the running user are followed.
	p = writePolicy(t, 0o644)
	sticky := filepath.Join(t.TempDir(), "tmp")
	os.Mkdir(sticky, 0o700)
	os.Chmod(sticky, 0o777|os.ModeSticky)
	planted := filepath.Join(sticky, "policy.toml")
	if err := os.Symlink(p, planted); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(planted); err != nil {
		t.Errorf("own symlink in a sticky directory: %v", err)
	}
	if err := os.Lchown(planted, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	check(planted, "symbolic link "+planted+" is owned by uid 65534")
}

func TestLoadFileSymlinks(t *testing.T) {
	p := writePolicy(t, 0o644)
	dir := filepath.Dir(p)
	// Relative and absolute links, to the file and to its directory, and
	// a path with .. in a link target.
	os.Symlink("policy.toml", filepath.Join(dir, "rel.toml"))
	os.Symlink(p, filepath.Join(dir, "abs.toml"))
	os.Symlink("../etc", filepath.Join(dir, "up"))
	other := filepath.Join(t.TempDir(), "links")
	os.Mkdir(other, 0o700)
	os.Symlink(dir, filepath.Join(other, "etc"))
	for _, path := range []string{
		filepath.Join(dir, "rel.toml"),
		filepath.Join(dir, "abs.toml"),
		filepath.Join(dir, "up", "policy.toml"),
		filepath.Join(other, "etc", "rel.toml"),
	} {
		f, err := LoadFile(path)
		if err != nil {
			t.Errorf("LoadFile(%s): %v", path, err)
			continue
		}
		if _, err := f.Profile("alice"); err != nil {
			t.Error(err)
		}
	}
}

// A directory with the sticky bit, like /tmp, may be world-writable.
func TestLoadFileStickyDir(t *testing.T) {
	p := writePolicy(t, 0o600)
	if err := os.Chmod(filepath.Dir(p), 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(p); err != nil {
		t.Errorf("LoadFile in a sticky directory: %v", err)
	}
}
