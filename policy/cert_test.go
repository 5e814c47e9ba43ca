package policy

import (
	"crypto/ed25519"
	"crypto/rand"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/wire"
)

func newSigner(t testing.TB) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignUserCert(t *testing.T) {
	ca, user := newSigner(t), newSigner(t)
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	cmd := `/usr/local/bin/weblog-server --log 'access=/var/log/it'\''s.log'`
	cert, err := SignUserCert(ca, UserCert{
		Key: user.PublicKey(), KeyID: "alice@example", Serial: 42, Principals: []string{"weblog"},
		ValidBefore: until, ForceCommand: cmd, SourceAddress: []string{"192.0.2.0/24,2001:db8::/32", "127.0.0.1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Round trip through the authorized_keys text form, as the file on disk.
	pub, _, _, _, err := ssh.ParseAuthorizedKey(ssh.MarshalAuthorizedKey(cert))
	if err != nil {
		t.Fatal(err)
	}
	got := pub.(*ssh.Certificate)
	if got.KeyId != "alice@example" || got.Serial != 42 || got.CertType != ssh.UserCert ||
		!reflect.DeepEqual(got.ValidPrincipals, []string{"weblog"}) || got.ValidBefore != uint64(until.Unix()) {
		t.Errorf("certificate %+v", got)
	}
	if after := time.Unix(int64(got.ValidAfter), 0); time.Since(after) < 30*time.Second || time.Since(after) > 2*time.Minute {
		t.Errorf("valid after %v, want about a minute ago", after)
	}
	wantOpts := map[string]string{"force-command": cmd, "source-address": "192.0.2.0/24,2001:db8::/32,127.0.0.1"}
	if !reflect.DeepEqual(got.CriticalOptions, wantOpts) {
		t.Errorf("critical options %q, want %q", got.CriticalOptions, wantOpts)
	}
	if len(got.Extensions) != 0 {
		t.Errorf("extensions %q, want none (no permit-*)", got.Extensions)
	}
	// x/crypto's checker, as the embedded server uses it, accepts it
	// for its principal only (the embedded server's tests check
	// source-address, which x/crypto enforces on the connection).
	checker := &ssh.CertChecker{
		IsUserAuthority:          func(k ssh.PublicKey) bool { return string(k.Marshal()) == string(ca.PublicKey().Marshal()) },
		SupportedCriticalOptions: []string{CertForceCommand, CertSourceAddress},
	}
	if err := checker.CheckCert("weblog", got); err != nil {
		t.Errorf("CheckCert: %v", err)
	}
	if err := checker.CheckCert("root", got); err == nil {
		t.Error("CheckCert accepted a principal not in the certificate")
	}
	// Without a serial, a random positive one.
	c2, err := SignUserCert(ca, UserCert{Key: user.PublicKey(), KeyID: "a", Principals: []string{"weblog"}, ValidBefore: until, ForceCommand: cmd})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Serial == 0 || c2.Serial>>63 != 0 {
		t.Errorf("random serial %d", c2.Serial)
	}
	if _, ok := c2.CriticalOptions["source-address"]; ok {
		t.Error("source-address without SourceAddress")
	}
}

func TestSignUserCertRefuses(t *testing.T) {
	ca, user := newSigner(t), newSigner(t)
	ok := UserCert{Key: user.PublicKey(), KeyID: "alice", Principals: []string{"weblog"},
		ValidBefore: time.Now().Add(time.Hour), ForceCommand: "/usr/local/bin/weblog-server --log a=/a"}
	if _, err := SignUserCert(ca, ok); err != nil {
		t.Fatal(err)
	}
	cert, _ := SignUserCert(ca, ok)
	tests := map[string]func(c *UserCert){
		"no key":            func(c *UserCert) { c.Key = nil },
		"cert as key":       func(c *UserCert) { c.Key = cert },
		"no key ID":         func(c *UserCert) { c.KeyID = "" },
		"key ID newline":    func(c *UserCert) { c.KeyID = "alice\nforged" },
		"no principal":      func(c *UserCert) { c.Principals = nil },
		"empty principal":   func(c *UserCert) { c.Principals = []string{""} },
		"comma principal":   func(c *UserCert) { c.Principals = []string{"a,b"} },
		"no command":        func(c *UserCert) { c.ForceCommand = "" },
		"command newline":   func(c *UserCert) { c.ForceCommand += "\nid" },
		"no expiry":         func(c *UserCert) { c.ValidBefore = time.Time{} },
		"expiry before":     func(c *UserCert) { c.ValidAfter = time.Now(); c.ValidBefore = c.ValidAfter.Add(-time.Second) },
		"source host name":  func(c *UserCert) { c.SourceAddress = []string{"example.com"} },
		"source negated":    func(c *UserCert) { c.SourceAddress = []string{"!10.0.0.0/8"} },
		"source host bits":  func(c *UserCert) { c.SourceAddress = []string{"10.0.0.1/8"} },
		"source empty item": func(c *UserCert) { c.SourceAddress = []string{"10.0.0.0/8,"} },
		"source zone":       func(c *UserCert) { c.SourceAddress = []string{"fe80::1%eth0"} },
	}
	for name, change := range tests {
		c := ok
		change(&c)
		if got, err := SignUserCert(ca, c); err == nil {
			t.Errorf("%s: signed %+v", name, got)
		}
	}
	if _, err := SignUserCert(nil, ok); err == nil {
		t.Error("signed without a CA")
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string // nil: an error
	}{
		{"/usr/local/bin/weblog-server --log a=/x", []string{"/usr/local/bin/weblog-server", "--log", "a=/x"}},
		{"  a   b  ", []string{"a", "b"}},
		{"'a b' c", []string{"a b", "c"}},
		{`'it'\''s'`, []string{"it's"}},
		{`\'`, []string{"'"}},
		{"''", []string{""}},
		{"a'b'c", []string{"abc"}},
		{"'$(id);`x`|&\"*?[]{}~#!\\'", []string{"$(id);`x`|&\"*?[]{}~#!\\"}},
		{"'é ü'", []string{"é ü"}},
		{"", nil},
		{"   ", nil},
		{"a;b", nil},
		{"$(id)", nil},
		{"`id`", nil},
		{"a|b", nil},
		{"a&", nil},
		{"a>b", nil},
		{`"a"`, nil},
		{"*", nil},
		{"~", nil},
		{"#x", nil},
		{"a\tb", nil},
		{"a\nb", nil},
		{`\a`, nil},
		{`a\`, nil},
		{"'unterminated", nil},
		{"'a\nb'", nil},
		{"'\x1b[2J'", nil},
		{"é", nil},
	}
	for _, tt := range tests {
		got, err := SplitCommand(tt.in)
		if tt.want == nil {
			if err == nil {
				t.Errorf("SplitCommand(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestSplitCommandShell checks SplitCommand against a real POSIX shell:
// for every line it accepts, sh -c sees the same words.
func TestSplitCommandShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, line := range []string{
		"/usr/local/bin/weblog-server --log 'a=/var/log/x y.log' --redact ip,ua",
		`'it'\''s' \'\' 'a'b'c' ''`,
		"'$(id);`x`|&\"*?[]{}~#!\\' 'é ü'",
		"%+=:,./-_@ x",
	} {
		words, err := SplitCommand(line)
		if err != nil {
			t.Fatalf("SplitCommand(%q): %v", line, err)
		}
		out, err := exec.Command(sh, "-c", "printf '%s\\n' "+line).Output()
		if err != nil {
			t.Fatalf("sh -c %q: %v", line, err)
		}
		if got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); !reflect.DeepEqual(got, words) {
			t.Errorf("line %q: sh sees %q, SplitCommand %q", line, got, words)
		}
	}
}

// FuzzSplitCommand checks the forced command splitter: no panic; an
// error gives no words; accepted words hold no control characters, and
// quoting each again (as authorize does) splits back to the same words.
func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{"/usr/local/bin/weblog-server --log a=/x", `'it'\''s'`, "a'b c'd", "''", "'$(id)'", `\`, "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := SplitCommand(line)
		if err != nil {
			if words != nil {
				t.Fatalf("error %v with words %q", err, words)
			}
			return
		}
		if len(words) == 0 {
			t.Fatal("no words and no error")
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			if CheckText("word", w) != nil {
				t.Fatalf("word %q holds a control character", w)
			}
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		again, err := SplitCommand(strings.Join(quoted, " "))
		if err != nil || !reflect.DeepEqual(again, words) {
			t.Fatalf("requoted %q: %q, %v; want %q", quoted, again, err, words)
		}
	})
}

func TestParseForcedCommand(t *testing.T) {
	fc, err := ParseForcedCommand(`/usr/local/bin/weblog-server --log 'access=/var/log/a b.log' --log err=/var/log/e --verbs cat,ls --redact ip --max-bytes 1000 --max-follow 1h --idle-timeout 10m --max-sessions 2 --trust-symlinks --profile alice --log-format access=combined`)
	if err != nil {
		t.Fatal(err)
	}
	p := fc.Profile
	if fc.Audit {
		t.Error("Audit without --audit-log")
	}
	want := &Profile{Name: "alice", Logs: []Log{{"access", "/var/log/a b.log"}, {"err", "/var/log/e"}}, Verbs: []string{"cat", "ls"},
		Redact: []string{"ip"}, MaxBytes: 1000, MaxFollow: time.Hour, IdleTimeout: 10 * time.Minute, MaxSessions: 2,
		TrustSymlinks: true, LogFormats: map[string]string{"access": "combined"}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("profile %+v\nwant %+v", p, want)
	}
	// The profile's own Args, quoted, give it back.
	line := "/usr/local/bin/weblog-server"
	for _, a := range append(p.Args(), "--profile", p.Name) {
		line += " '" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	if q, err := ParseForcedCommand(line); err != nil || !reflect.DeepEqual(q.Profile, p) {
		t.Errorf("from Args: %+v, %v", q, err)
	}
	for _, audited := range []string{" --audit-log /var/log/weblog-audit.log", " --audit-syslog", " --audit-log /a --audit-syslog"} {
		if fc, err := ParseForcedCommand("/usr/local/bin/weblog-server --log a=/x" + audited); err != nil || !fc.Audit {
			t.Errorf("%s: %+v, %v; want Audit", audited, fc, err)
		}
	}

	for _, bad := range []string{
		"",
		"weblog-server --log a=/x", // relative
		"/bin/sh -c id",            // another program
		"/usr/local/bin/weblog-server-evil --log a=/x",                        // another name
		"/usr/local/bin/weblog-server",                                        // no logs
		"/usr/local/bin/weblog-server --log a=/x extra",                       // operand
		"/usr/local/bin/weblog-server --log a=/x --policy /p",                 // file on the host
		"/usr/local/bin/weblog-server --log a=/x --bogus",                     // unknown flag
		"/usr/local/bin/weblog-server --log a=/x --max-bytes 1 --max-bytes 2", // repeat
		"/usr/local/bin/weblog-server --log a=/x --max-bytes -1",              // negative
		"/usr/local/bin/weblog-server --log a=/x --verbs rm",                  // unknown verb
		"/usr/local/bin/weblog-server --log a=../x",                           // relative log
		"/usr/local/bin/weblog-server --log a=/x; id",                         // shell
		"/usr/local/bin/weblog-server --log a=/x --profile 'a b'",             // bad name
	} {
		if fc, err := ParseForcedCommand(bad); err == nil {
			t.Errorf("ParseForcedCommand(%q) = %+v, want an error", bad, fc)
		}
	}
}

// FuzzParseForcedCommand checks the forced command reader: no panic; an
// error gives no profile; an accepted line runs weblog-server by an
// absolute path and gives a valid profile, which its own Args, quoted
// again, give back.
func FuzzParseForcedCommand(f *testing.F) {
	for _, s := range []string{
		"/usr/local/bin/weblog-server --log a=/x",
		"/usr/local/bin/weblog-server --log 'a=/x y' --verbs cat,ls --redact ip --max-bytes 5 --profile p --audit-log /a",
		"/usr/local/bin/weblog-server --log a=/x --trust-symlinks --log-format a=combined --max-follow 1m --idle-timeout 5s",
		"/bin/sh -c id",
		"/usr/local/bin/weblog-server --policy /p --profile p",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fc, err := ParseForcedCommand(line)
		if err != nil {
			if fc.Profile != nil {
				t.Fatalf("error %v with a profile", err)
			}
			return
		}
		if words, _ := SplitCommand(line); !strings.HasPrefix(words[0], "/") || !strings.HasSuffix(words[0], "/"+wire.ServerName) {
			t.Fatalf("accepted %q, which does not run %s", words[0], wire.ServerName)
		}
		if err := fc.Profile.Validate(); err != nil {
			t.Fatalf("accepted profile is invalid: %v", err)
		}
		again := "/usr/local/bin/weblog-server"
		for _, a := range append(fc.Profile.Args(), "--profile", fc.Profile.Name) {
			again += " '" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q, err := ParseForcedCommand(again)
		if err != nil || !reflect.DeepEqual(q.Profile, fc.Profile) {
			t.Fatalf("%q: profile %+v\nrebuilt from %q: %+v, %v", line, fc.Profile, again, q.Profile, err)
		}
	})
}
