package client

import (
	"strings"
	"testing"
)

func TestPlainCommand(t *testing.T) {
	tests := []struct {
		path   string
		follow bool
		lines  int
		want   string
	}{
		{"/var/log/x.log", false, 0, "cat -- '/var/log/x.log'"},
		{"/var/log/x.log", true, 5, "tail -F -n 5 -- '/var/log/x.log'"},
		{"/tmp/a b", false, 0, "cat -- '/tmp/a b'"},
		{"/tmp/'; id; echo '", false, 0, `cat -- '/tmp/'\''; id; echo '\'''`},
		{"-rf", false, 0, "cat -- '-rf'"},
		{"$(id)`id`", true, 0, "tail -F -n 0 -- '$(id)`id`'"},
	}
	for _, tt := range tests {
		got, err := PlainCommand(tt.path, tt.follow, tt.lines)
		if err != nil || got != tt.want {
			t.Errorf("PlainCommand(%q, %v, %d) = %q, %v; want %q", tt.path, tt.follow, tt.lines, got, err, tt.want)
		}
	}
	for _, p := range []string{"", "/tmp/a\nb", "/tmp/\x1b[2J", "/tmp/a\x00b", "/tmp/\u0085"} {
		if got, err := PlainCommand(p, false, 0); err == nil {
			t.Errorf("PlainCommand(%q) = %q, want an error", p, got)
		}
	}
}

// FuzzPlainCommand: a path is either refused or quoted so that a POSIX
// shell reads it back exactly, as one word.
func FuzzPlainCommand(f *testing.F) {
	f.Add("/var/log/x.log")
	f.Add("/tmp/'; id; echo '")
	f.Fuzz(func(t *testing.T, path string) {
		cmd, err := PlainCommand(path, false, 0)
		if err != nil {
			return
		}
		word, ok := strings.CutPrefix(cmd, "cat -- ")
		if !ok {
			t.Fatalf("command %q", cmd)
		}
		if got, ok := shellWord(word); !ok || got != path {
			t.Fatalf("PlainCommand(%q) = %q, which a shell reads as %q (ok=%v)", path, cmd, got, ok)
		}
	})
}

// shellWord reads one word made of single-quoted strings and \' as a POSIX
// shell does; ok is false for anything else.
func shellWord(s string) (string, bool) {
	var out strings.Builder
	for s != "" {
		switch {
		case strings.HasPrefix(s, `\'`):
			out.WriteByte('\'')
			s = s[2:]
		case s[0] == '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", false
			}
			out.WriteString(s[1 : 1+end])
			s = s[2+end:]
		default:
			return "", false
		}
	}
	return out.String(), true
}
