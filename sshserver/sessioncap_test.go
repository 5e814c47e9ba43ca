package sshserver

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/subsystem"
	"github.com/weblogctl/weblogctl/wire"
)

// TestSessionCapAcrossConnections: the profile's session cap holds across
// connections (it is enforced by the subsystem, as under sshd): with
// MaxSessions 1 a second follow is refused with status 5 while the first
// runs, through exec and the weblog subsystem alike; and the audit lines
// name each session's key and its own client address.
func TestSessionCapAcrossConnections(t *testing.T) {
	auditLog := &lineLog{}
	ts := startServer(t, func(c *Config) {
		c.Subsystem = newSubsystem(t, strings.TrimSuffix(c.AuthorizedKeysFile, "authorized_keys")+"access.log",
			func(p *policy.Profile) { p.MaxSessions = 1 },
			subsystem.Options{Version: "test", SessionsDir: t.TempDir(), Audit: func(e audit.Entry) { audit.New(auditLog).Log(e) }})
	})
	fp := ssh.FingerprintSHA256(ts.key.PublicKey())

	// The first follow runs until the log shows the --until-path request.
	c1 := ts.dial(t)
	s1, err := c1.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out1, err := s1.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Start("follow -n 1 --until-path=/stop access"); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(out1).ReadString('\n'); err != nil { // the last line: it runs
		t.Fatal(err)
	}

	c2 := ts.dial(t)
	s2, err := c2.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	s2.Stderr = &stderr
	if err := s2.Run("follow access"); exitStatus(err) != 5 || !strings.Contains(stderr.String(), "too many sessions for profile test") {
		t.Errorf("a second follow: %v, %q; want exit status 5, too many sessions", err, stderr.String())
	}
	s3, err := c2.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	// RequestSubsystem does not start Session's copying: use the pipe,
	// and the server's log for the exit status.
	errPipe, err := s3.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.RequestSubsystem(wire.SubsystemName); err != nil {
		t.Fatal(err)
	}
	if msg, err := io.ReadAll(errPipe); err != nil || !strings.Contains(string(msg), "too many sessions") {
		t.Errorf("a second session through the subsystem: %q, %v; want too many sessions", msg, err)
	}
	ts.log.waitFor(t, "#2.2 exit 5")

	appendFile(t, ts.logFile, []byte("192.0.2.1 - - [10/Oct/2025:13:56:00 +0000] \"GET /stop HTTP/1.1\" 200 1 \"-\" \"-\"\n"))
	if err := s1.Wait(); err != nil {
		t.Errorf("the first follow: %v, want exit status 0", err)
	}

	// Each line names the session's own connection.
	addr1, addr2 := c1.LocalAddr().String(), c2.LocalAddr().String()
	auditLog.waitFor(t, "profile=test key="+fp+" client="+addr2+" verb=\"\" log=\"\" ", "result=denied", `request="follow access"`)
	auditLog.waitFor(t, "profile=test key="+fp+" client="+addr2+" verb=\"\" log=\"\" ", "result=denied", `request=""`)
	auditLog.waitFor(t, "profile=test key="+fp+" client="+addr1+" verb=follow log=access ", "result=ok")
	if n := strings.Count(auditLog.String(), "\n"); n != 3 {
		t.Errorf("%d audit lines, want 3:\n%s", n, auditLog)
	}
}
