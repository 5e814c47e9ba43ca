package main

import (
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// TestSSHNoCommand: `ssh web1` with no command under the forced command
// (no terminal: `restrict` refuses one) used to wait for a request line
// in silence. It now says on stderr what to send, and still serves the
// line typed next.
func TestSSHNoCommand(t *testing.T) {
	ssh := sshdtest.Require(t, "ssh", "")
	log := newLog(t, 5)
	cfg := deployment(t, "forced", log)
	cmd := exec.Command(ssh, "-F", cfg, "-T", "web1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := startPiped(t, cmd)
	usage := awaitLine(stderr, func(l string) bool {
		return strings.HasPrefix(l, "weblog-server: no request yet: this key has no shell;")
	}, "ssh ended without the usage line")
	await(t, usage, 15*time.Second, "no usage line within 15 s: the session waits in silence")
	io.WriteString(stdin, "ls\n")
	stdin.Close()
	out, _ := io.ReadAll(stdout)
	if !strings.HasPrefix(string(out), "access") {
		t.Errorf("ls typed after the usage: stdout %q", out)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("ssh: %v", err)
	}
}

// TestSSHTerminalRefused: `ssh -t web1` with a terminal (a key whose line
// allows one) gets the usage on its terminal and exit status 2, never a
// shell and never a wait.
func TestSSHTerminalRefused(t *testing.T) {
	ssh := sshdtest.Require(t, "ssh", "")
	log := newLog(t, 5)
	s := sshdtest.Start(t, sshdtest.Options{KeyOptions: "command=" + strconv.Quote(buildBin(t, "weblog-server")+" --log access="+log)})
	cfg, err := s.SSHConfig("web1")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(ssh, "-F", cfg, "-tt", "web1")
	_, tty := openPTY(t)
	cmd.Stdin = tty
	out, err := runOnTTY(t, cmd, 20*time.Second)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("ssh -tt: %v, want exit status 2; terminal:\n%s", err, out)
	}
	if !strings.Contains(out, "interactive login refused") || !strings.Contains(out, "usage: ssh HOST ls") {
		t.Errorf("terminal shows:\n%s", out)
	}
}

// newLog writes genLog(n) to a new file and returns its path.
func newLog(t *testing.T, n int) string {
	t.Helper()
	log := filepath.Join(t.TempDir(), "access.log")
	writeLog(t, log, genLog(n))
	return log
}
