package sshdtest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStart checks the harness against OpenSSH's own client: a forced
// command runs, and the host key in KnownHosts is the one sshd presents.
func TestStart(t *testing.T) {
	s := Start(t, Options{KeyOptions: `restrict,command="echo forced:$SSH_ORIGINAL_COMMAND"`})
	ssh := Require(t, "ssh", "/usr/bin/ssh")
	cfg, err := s.SSHConfig("testhost")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ssh, "-F", cfg, "testhost", "hello").CombinedOutput()
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "forced:hello" {
		t.Fatalf("ssh output %q, want %q", got, "forced:hello")
	}
}
