package sshserver

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// These tests drive the embedded server with OpenSSH's own client. They
// skip when ssh is missing, unless WEBLOG_REQUIRE_TOOLS=1 (CI), where a
// missing tool fails them.

// sshCommand returns an ssh command line to the test server that trusts
// exactly its host key and offers exactly the test key; opts go before
// the destination, remote after it.
func (ts *testServer) sshCommand(t *testing.T, opts []string, remote ...string) *exec.Cmd {
	t.Helper()
	bin := sshdtest.Require(t, "ssh", "")
	kh := filepath.Join(ts.dir, "known_hosts")
	writeFile(t, kh, []byte(knownhosts.Line([]string{knownhosts.Normalize(ts.addr)}, ts.HostKey())+"\n"), 0o600)
	host, port, err := net.SplitHostPort(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{
		"-F", "none", "-p", port, "-l", "alice", "-i", ts.keyFile,
		"-o", "UserKnownHostsFile=" + kh,
		"-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes",
		"-o", "IdentitiesOnly=yes",
		"-o", "IdentityAgent=none",
		"-o", "ConnectTimeout=10",
	}
	args = append(append(append(args, opts...), host), remote...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+ts.dir)
	return cmd
}

// readUntil reads r until what it read contains want, and returns it.
func readUntil(r io.Reader, want []byte) ([]byte, error) {
	var got []byte
	buf := make([]byte, 4096)
	for !bytes.Contains(got, want) {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

// killAfter kills cmd's process if it still runs after d: a bound on a
// test that would otherwise hang, not a synchronisation.
func killAfter(cmd *exec.Cmd, d time.Duration) *time.Timer {
	return time.AfterFunc(d, func() { cmd.Process.Kill() })
}

func TestOpenSSHCatIsByteIdentical(t *testing.T) {
	ts := startServer(t, nil)
	cmd := ts.sshCommand(t, nil, "cat", "access")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ssh cat access: %v\n%s", err, stderr.String())
	}
	if !bytes.Equal(out, testLog) {
		t.Errorf("ssh cat access: %d bytes, want the log's %d", len(out), len(testLog))
	}
}

func TestOpenSSHShell(t *testing.T) {
	raw := lastLines(testLog, 10)
	onTTY := bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
	onTTY = bytes.ReplaceAll(onTTY, []byte("\x1b"), []byte(`\x1B`))
	onTTY = bytes.ReplaceAll(onTTY, []byte("\x07"), []byte(`\x07`))
	tests := []struct {
		flag string
		want []byte
	}{
		{"-T", raw},
		{"-tt", onTTY},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			ts := startServer(t, nil)
			cmd := ts.sshCommand(t, []string{tt.flag})
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdin, err := cmd.StdinPipe() // held open: no EOF to send
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			timer := killAfter(cmd, 15*time.Second)
			defer timer.Stop()
			got, err := readUntil(stdout, tt.want)
			if err != nil {
				t.Errorf("ssh %s: %v; stdout %q, stderr %q", tt.flag, err, got, stderr.String())
			}
			cmd.Process.Kill()
			cmd.Wait()
			// The server notices the client leaving and ends the follow.
			ts.log.waitFor(t, ".1 exit")
		})
	}
}

func TestOpenSSHRemoteForwardFails(t *testing.T) {
	ts := startServer(t, nil)
	cmd := ts.sshCommand(t, []string{"-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:1"}, "cat", "access")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	timer := killAfter(cmd, 15*time.Second)
	defer timer.Stop()
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 255 {
		t.Errorf("ssh -R with ExitOnForwardFailure: %v, want exit status 255\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "forwarding failed") {
		t.Errorf("ssh stderr %q: want the forwarding failure", stderr.String())
	}
	ts.log.waitFor(t, `refused global request "tcpip-forward"`)
}

func TestOpenSSHLocalForwardCarriesNothing(t *testing.T) {
	ts := startServer(t, nil)
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := target.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	// A Unix socket as the local end: no free-port race.
	sock := filepath.Join(ts.dir, "fwd.sock")
	cmd := ts.sshCommand(t, []string{"-o", "ExitOnForwardFailure=yes", "-L", sock + ":" + target.Addr().String()}, "follow", "access")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := killAfter(cmd, 15*time.Second)
	defer timer.Stop()
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	// ssh binds its -L listeners before it opens the session, so once
	// the server sees the exec the socket is there.
	ts.log.waitFor(t, `exec "follow access"`)
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("dial the -L socket: %v\n%s", err, stderr.String())
	}
	defer c.Close()
	c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	got, _ := io.ReadAll(c)
	if len(got) != 0 {
		t.Errorf("the -L tunnel carried %q", got)
	}
	ts.log.waitFor(t, `refused channel "direct-tcpip": port forwarding is disabled`)
	target.Close()
	if conn, ok := <-accepted; ok {
		conn.Close()
		t.Error("the -L tunnel reached its target")
	}
}
