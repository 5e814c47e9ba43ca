package policy

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestShellQuote: /bin/sh reads each quoted word back as it was.
func TestShellQuote(t *testing.T) {
	words := []string{"plain", "/usr/local/bin/weblog-server", "access=/var/log/a.log", "", "a b", "it's", `"$HOME"`, "`id`", "$(id)", "a;b|c&d", "back\\slash", "*?[", "zugriff-é", "'", "''"}
	for _, w := range words {
		out, err := exec.Command("/bin/sh", "-c", "printf '%s' "+ShellQuote(w)).Output()
		if err != nil || string(out) != w {
			t.Errorf("sh read ShellQuote(%q) = %s as %q, %v", w, ShellQuote(w), out, err)
		}
	}
	if got := ShellJoin([]string{"/bin/x", "--log", "a=/a b"}); got != `/bin/x --log 'a=/a b'` {
		t.Errorf("ShellJoin = %s", got)
	}
}

// FuzzShellQuote: a quoted word is either the word itself, made of safe
// characters only, or single-quoted so that undoing the quoting gives the
// word back.
func FuzzShellQuote(f *testing.F) {
	f.Add("it's a $(test)")
	f.Fuzz(func(t *testing.T, s string) {
		q := ShellQuote(s)
		if q == s {
			if s == "" || strings.ContainsAny(s, " '\"\\$`;|&<>(){}*?[]#~!\t\n") {
				t.Fatalf("ShellQuote(%q) left it bare", s)
			}
			return
		}
		inner, ok := strings.CutPrefix(q, "'")
		inner, ok2 := strings.CutSuffix(inner, "'")
		if !ok || !ok2 || strings.ReplaceAll(inner, `'\''`, "'") != s || strings.Count(strings.ReplaceAll(inner, `'\''`, ""), "'") != 0 {
			t.Fatalf("ShellQuote(%q) = %s: not one single-quoted word", s, q)
		}
	})
}

// TestKeyLine: the options sshd reads, quoted for sshd, and refusals.
func TestKeyLine(t *testing.T) {
	k := KeyLine{
		Command: []string{"/usr/local/bin/weblog-server", "--log", `a="/x y"`},
		From:    []string{"192.0.2.0/24,!192.0.2.7", "*.example.net"},
		Expires: time.Date(2027, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)),
		Key:     "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGN0 alice@laptop",
	}
	got, err := k.Marshal()
	want := `restrict,command="/usr/local/bin/weblog-server --log 'a=\"/x y\"'",from="192.0.2.0/24,!192.0.2.7,*.example.net",expiry-time="20270102020405Z" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGN0 alice@laptop`
	if err != nil || got != want {
		t.Errorf("Marshal =\n%s, %v\nwant\n%s", got, err, want)
	}
	for _, bad := range []KeyLine{
		{Key: "k"}, // no command
		{Command: []string{"/x", "a\nb"}, Key: "k"},
		{Command: []string{"/x"}, Key: "k\x1b[2J"},
		{Command: []string{"/x"}, From: []string{"192.0.2.1/24"}, Key: "k"},
		{Command: []string{"/x"}, From: []string{"a b"}, Key: "k"},
		{Command: []string{"/x", strings.Repeat("x", MaxKeyLine)}, Key: "k"},
	} {
		if line, err := bad.Marshal(); err == nil {
			t.Errorf("Marshal(%+v) = %q, want an error", bad, line)
		}
	}
}
