package subsystem

import "testing"

func TestInvocation(t *testing.T) {
	tests := []struct {
		orig      string
		set, tty  bool
		want      Mode
		wantLine  string
		wantError bool
	}{
		{"", false, false, ModeStream, "", false},
		{"", false, true, 0, "", true},
		{"", true, false, 0, "", true},
		{"   ", true, false, 0, "", true},
		{"cat access", true, false, ModeExec, "cat access", false},
		{"cat access; id", true, false, ModeExec, "cat access; id", false},
		{"/usr/local/bin/weblog-server --log access=/var/log/x", true, false, ModeStream, "", false},
		{"weblog-server", true, false, ModeStream, "", false},
		{"/opt/wl/wls --log a=/b", true, false, ModeStream, "", false},
		{"/bin/sh", true, false, ModeExec, "/bin/sh", false},
		{"scp -f /etc/passwd", true, false, ModeExec, "scp -f /etc/passwd", false},
	}
	for _, tt := range tests {
		mode, line, err := Invocation(tt.orig, tt.set, tt.tty, "/opt/wl/wls")
		if (err != nil) != tt.wantError || (err == nil && (mode != tt.want || line != tt.wantLine)) {
			t.Errorf("Invocation(%q, %v, %v) = %v, %q, %v", tt.orig, tt.set, tt.tty, mode, line, err)
		}
	}
}
