package sshserver

import (
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// TestSSHAudit runs Debian's ssh-audit against the server: no line may
// say [fail]. It skips when ssh-audit is not installed, fails then in CI (apt-get install
// ssh-audit). ssh-audit 2.5 (Debian 12) warns about the algorithms it
// predates, mlkem768x25519-sha256 and kex-strict-s-v00@openssh.com (the
// Terrapin countermeasure); those warnings are expected, others are
// logged.
func TestSSHAudit(t *testing.T) {
	bin := sshdtest.Require(t, "ssh-audit", "") // fails instead of skipping in CI
	ts := startServer(t, nil)
	host, port, err := net.SplitHostPort(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-n", "-p", port, host) // -n: no colours
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	out, _ := cmd.CombinedOutput() // exits non-zero on warnings too
	if !strings.Contains(string(out), "ssh-ed25519") {
		t.Fatalf("ssh-audit did not audit the server:\n%s", out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "[fail]") {
			t.Errorf("ssh-audit: %s", line)
		}
		if strings.Contains(line, "[warn]") && !strings.Contains(line, "mlkem768x25519-sha256") && !strings.Contains(line, "kex-strict-s-v00@openssh.com") {
			t.Logf("ssh-audit: warning: %s", line) // reported, not failed: the bar is no [fail]
		}
	}
	if t.Failed() {
		t.Logf("ssh-audit output:\n%s", out)
	}
}
