package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestColorEnvironment: on a terminal, pretty output is coloured unless
// NO_COLOR is set to something non-empty (no-color.org: an empty NO_COLOR
// does not count) or TERM is dumb.
func TestColorEnvironment(t *testing.T) {
	bin := buildBin(t, "weblogctl")
	for _, tt := range []struct {
		env   []string
		color bool
	}{
		{[]string{"TERM=xterm"}, true},
		{[]string{"TERM=xterm", "NO_COLOR="}, true},
		{[]string{"TERM=xterm", "NO_COLOR=1"}, false},
		{[]string{"TERM=dumb"}, false},
	} {
		cmd := exec.Command(bin, "demo", "--duration", "500ms")
		cmd.Env = append(environWithout("NO_COLOR", "TERM"), "HOME="+t.TempDir())
		cmd.Env = append(cmd.Env, tt.env...)
		out, err := runOnTTY(t, cmd, 30*time.Second)
		if err != nil {
			t.Fatalf("%v: demo: %v\n%s", tt.env, err, out)
		}
		if !strings.Contains(out, "GET") {
			t.Fatalf("%v: no log lines on the terminal:\n%q", tt.env, out)
		}
		if got := strings.Contains(out, "\x1b["); got != tt.color {
			t.Errorf("%v: coloured %v, want %v:\n%q", tt.env, got, tt.color, out)
		}
	}
}

// environWithout is the test's environment without the named variables.
func environWithout(names ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && name != n
		}
		if keep {
			env = append(env, kv)
		}
	}
	return env
}
