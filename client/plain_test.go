package client

import "testing"

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
