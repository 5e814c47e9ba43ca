package authorize

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
	"github.com/weblogctl/weblogctl/policy"
)

// newPub returns a fresh ed25519 public key and its KEY.pub contents.
func newPub(t *testing.T, comment string) (ssh.PublicKey, []byte) {
	t.Helper()
	sp, err := sshdtest.WriteKey(filepath.Join(t.TempDir(), "id_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.TrimSuffix(ssh.MarshalAuthorizedKey(sp), []byte("\n"))
	if comment != "" {
		line = append(line, " "+comment...)
	}
	return sp, append(line, '\n')
}

// optDequote is OpenSSH's opt_dequote (auth-options.c): the value of a
// quoted option, with \" turned into " and every other byte kept.
func optDequote(t *testing.T, s string) string {
	t.Helper()
	if !strings.HasPrefix(s, `"`) {
		t.Fatalf("option value %s is not quoted", s)
	}
	var b strings.Builder
	i := 1
	for ; i < len(s) && s[i] != '"'; i++ {
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '"' {
			i++
		}
		b.WriteByte(s[i])
	}
	if i != len(s)-1 {
		t.Fatalf("option %s: text after the closing quote, or none", s)
	}
	return b.String()
}

// shellArgs runs command as sshd does, with shell -c, where command's
// first word is an args-printing script, and returns the arguments.
func shellArgs(t *testing.T, shell, command string) []string {
	t.Helper()
	out, err := exec.Command(shell, "-c", command).Output()
	if err != nil {
		t.Fatalf("%s -c %q: %v", shell, command, err)
	}
	args := strings.Split(string(out), "\x00")
	return args[:len(args)-1]
}

// writeArgsPrinter writes a script printing its arguments, NUL-terminated,
// in a directory whose name needs quoting, and returns its path.
func writeArgsPrinter(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), `bin dir $HOME 'q' "dq" \bs`)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "weblog-server")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nfor a; do printf '%s\\0' \"$a\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKeyLine(t *testing.T) {
	printer := writeArgsPrinter(t)
	shells := []string{"/bin/sh"}
	for _, sh := range []string{"bash", "dash", "zsh", "ksh"} {
		if p, err := exec.LookPath(sh); err == nil {
			shells = append(shells, p)
		}
	}
	pub, pubFile := newPub(t, "alice@laptop  with spaces")
	tests := []struct {
		name     string
		g        Grant
		wantArgs []string
		wantFrom string
	}{
		{"plain", Grant{Values: policy.Values{"log": {"access=/var/log/nginx/access.log"}}},
			[]string{"--log", "access=/var/log/nginx/access.log"}, ""},
		{"hostile path", Grant{Values: policy.Values{"log": {
			`access=/var/log/a b/it's "$(id)" ` + "`id`" + ` ; rm -rf ~ \ \" \\/x.log`, "err=/var/log/x,y/e.log"}}},
			[]string{"--log", `access=/var/log/a b/it's "$(id)" ` + "`id`" + ` ; rm -rf ~ \ \" \\/x.log`, "--log", "err=/var/log/x,y/e.log"}, ""},
		{"unicode path", Grant{Values: policy.Values{"log": {"zugriff=/var/log/zugriffsprotokoll-é.log"}}},
			[]string{"--log", "zugriff=/var/log/zugriffsprotokoll-é.log"}, ""},
		{"everything", Grant{
			From: []string{"192.0.2.0/24,!192.0.2.7", "2001:db8::/32", "*.example.com"},
			Values: policy.Values{"profile": {"alice"}, "log": {"access=/a.log"}, "verbs": {"follow,filter"}, "redact": {"ip", "query"},
				"max-bytes": {"1000000000"}, "max-sessions": {"4"}, "trust-symlinks": {"true"}, "log-format": {"access=combined"},
				"audit-log": {"/var/log/weblog audit.log"}, "audit-syslog": {"true"}}},
			[]string{"--log", "access=/a.log", "--verbs", "follow,filter", "--redact", "ip,query", "--max-bytes", "1000000000",
				"--max-sessions", "4", "--log-format", "access=combined", "--trust-symlinks", "--profile", "alice",
				"--audit-log", "/var/log/weblog audit.log", "--audit-syslog"},
			"192.0.2.0/24,!192.0.2.7,2001:db8::/32,*.example.com"},
		{"policy file", Grant{Values: policy.Values{"policy": {"/etc/weblog-server/policy.toml"}, "profile": {"bob"}}},
			[]string{"--policy", "/etc/weblog-server/policy.toml", "--profile", "bob"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.g.Key = pubFile
			tt.g.ServerPath = printer
			line, err := tt.g.KeyLine()
			if err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(line, "\r\n\x00") {
				t.Fatalf("line holds a line break: %q", line)
			}
			got, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(line + "\n"))
			if err != nil {
				t.Fatalf("ParseAuthorizedKey(%q): %v", line, err)
			}
			if !bytes.Equal(got.Marshal(), pub.Marshal()) || comment != "alice@laptop  with spaces" || len(rest) != 0 {
				t.Errorf("key %v, comment %q, rest %q", got, comment, rest)
			}
			wantOpts := 2
			if tt.wantFrom != "" {
				wantOpts = 3
			}
			if len(options) != wantOpts || options[0] != "restrict" || !strings.HasPrefix(options[1], "command=") {
				t.Fatalf("options = %q", options)
			}
			if tt.wantFrom != "" {
				if from := optDequote(t, strings.TrimPrefix(options[2], "from=")); from != tt.wantFrom {
					t.Errorf("from = %q, want %q", from, tt.wantFrom)
				}
			}
			command := optDequote(t, strings.TrimPrefix(options[1], "command="))
			for _, sh := range shells {
				if args := shellArgs(t, sh, command); !reflect.DeepEqual(args, tt.wantArgs) {
					t.Errorf("%s -c %q\ngot args  %q\nwant args %q", sh, command, args, tt.wantArgs)
				}
			}
		})
	}
}

func TestKeyLineErrors(t *testing.T) {
	_, pub := newPub(t, "k")
	_, pub2 := newPub(t, "k2")
	logs := policy.Values{"log": {"access=/a.log"}}
	tests := []struct {
		name string
		g    Grant
		want string
	}{
		{"relative server", Grant{Key: pub, ServerPath: "bin/weblog-server", Values: logs}, "not an absolute path"},
		{"server LF", Grant{Key: pub, ServerPath: "/bin/x\nssh-ed25519 AAAA", Values: logs}, "control character"},
		{"log LF", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"a=/a\nb"}}}, "control character"},
		{"log ESC", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"a=/a\x1b[2J"}}}, "control character"},
		{"log invalid UTF-8", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"a=/a\xff"}}}, "UTF-8"},
		{"relative log", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"a=a.log"}}}, "absolute"},
		{"no logs", Grant{Key: pub, ServerPath: "/x"}, "no logs"},
		{"bad verb", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"a=/a"}, "verbs": {"shell"}}}, "unknown verb"},
		{"bad redact", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"a=/a"}, "redact": {"all"}}}, "unknown redaction key"},
		{"negative", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"a=/a"}, "max-bytes": {"-1"}}}, "negative"},
		{"garbage key", Grant{Key: []byte("hello"), ServerPath: "/x", Values: logs}, "not a public key"},
		{"private key", Grant{Key: []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n"), ServerPath: "/x", Values: logs}, "private key"},
		{"two keys", Grant{Key: append(append([]byte{}, pub...), pub2...), ServerPath: "/x", Values: logs}, "more than one key"},
		{"key with options", Grant{Key: append([]byte(`command="/bin/sh" `), pub...), ServerPath: "/x", Values: logs}, "already has options"},
		{"comment ESC", Grant{Key: append(bytes.TrimSuffix(bytes.Clone(pub), []byte("\n")), "\x1b[31m\n"...), ServerPath: "/x", Values: logs}, "control character"},
		{"from host bits", Grant{Key: pub, ServerPath: "/x", Values: logs, From: []string{"192.0.2.7/24"}}, "did you mean 192.0.2.0/24"},
		{"from quote", Grant{Key: pub, ServerPath: "/x", Values: logs, From: []string{`a",command="/bin/sh`}}, "not an address"},
		{"from space", Grant{Key: pub, ServerPath: "/x", Values: logs, From: []string{"a b"}}, "not an address"},
		{"from empty", Grant{Key: pub, ServerPath: "/x", Values: logs, From: []string{"10.0.0.0/8,"}}, "empty pattern"},
		{"from bad cidr", Grant{Key: pub, ServerPath: "/x", Values: logs, From: []string{"10.0.0.0/33"}}, "not a CIDR"},
		{"policy and flags", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"policy": {"/p.toml"}, "profile": {"a"}, "log": {"a=/a"}}}, "not both"},
		{"policy no profile", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"policy": {"/p.toml"}}}, "needs --profile"},
		{"policy relative", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"policy": {"p.toml"}, "profile": {"a"}}}, "not an absolute path"},
		{"bad profile", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"policy": {"/p.toml"}, "profile": {"a b"}}}, "invalid profile name"},
		{"audit relative", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"access=/a.log"}, "audit-log": {"audit.log"}}}, "not an absolute path"},
		{"too long", Grant{Key: pub, ServerPath: "/x", Values: policy.Values{"log": {"a=/" + strings.Repeat("x", 9000)}}}, "more than 8192"},
	}
	for _, tt := range tests {
		line, err := tt.g.KeyLine()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: KeyLine = %q, %v; want an error containing %q", tt.name, line, err, tt.want)
		}
	}
}

// splitShell splits a command line as a POSIX shell does, for the
// quoting policy.ShellJoin produces (bare words, '…', backslash escapes); it
// fails on anything that would expand.
func splitShell(t *testing.T, s string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				t.Fatalf("unterminated quote in %q", s)
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '\\':
			if i+1 == len(s) {
				t.Fatalf("trailing backslash in %q", s)
			}
			w.WriteByte(s[i+1])
			i++
			inWord = true
		case strings.IndexByte("\"$`;&|<>(){}*?[]~#!\t\n", c) >= 0:
			t.Fatalf("unquoted %q in %q", c, s)
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// FuzzKeyLine checks the quoting for any log path, comment and
// from pattern: the line is refused, or it is one line that sshd reads
// back (options, key and comment) and whose command, dequoted as sshd
// does and split as the shell does, is the intended argument list.
func FuzzKeyLine(f *testing.F) {
	f.Add(`/var/log/a b/it's "$(id)" \x`, "alice", "192.0.2.0/24")
	f.Add("/x\ny", "c\x1b", "a\"b")
	f.Add(`/x\`, `\"`, "!*.example.com")
	f.Fuzz(func(t *testing.T, path, comment, from string) {
		pub, _, err := ed25519.GenerateKey(bytes.NewReader(make([]byte, 64)))
		if err != nil {
			t.Fatal(err)
		}
		sp, _ := ssh.NewPublicKey(pub)
		key := append(bytes.TrimSuffix(ssh.MarshalAuthorizedKey(sp), []byte("\n")), " "+comment+"\n"...)
		g := Grant{Key: key, ServerPath: "/usr/local/bin/weblog-server", Values: policy.Values{"log": {"access=" + path}}}
		if from != "" {
			g.From = []string{from}
		}
		line, err := g.KeyLine()
		if err != nil {
			return
		}
		if strings.ContainsAny(line, "\r\n\x00") || !utf8.ValidString(line) {
			t.Fatalf("line %q", line)
		}
		got, gotComment, options, rest, err := ssh.ParseAuthorizedKey([]byte(line + "\n"))
		if err != nil || !bytes.Equal(got.Marshal(), sp.Marshal()) || len(rest) != 0 {
			t.Fatalf("ParseAuthorizedKey(%q) = %v, %v", line, got, err)
		}
		if gotComment != strings.TrimSpace(comment) {
			t.Fatalf("comment %q, want %q", gotComment, comment)
		}
		if options[0] != "restrict" || !strings.HasPrefix(options[1], "command=") {
			t.Fatalf("options %q", options)
		}
		argv := splitShell(t, optDequote(t, strings.TrimPrefix(options[1], "command=")))
		l, _ := policy.ParseLog("access=" + path)
		if want := []string{"/usr/local/bin/weblog-server", "--log", "access=" + l.Path}; !reflect.DeepEqual(argv, want) {
			t.Fatalf("argv %q, want %q", argv, want)
		}
		if from != "" {
			if len(options) != 3 || optDequote(t, strings.TrimPrefix(options[2], "from=")) != from {
				t.Fatalf("options %q, want from=%q", options, from)
			}
		}
	})
}
