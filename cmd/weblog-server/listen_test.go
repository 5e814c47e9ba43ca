package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestListen runs the built binary's listen command: it serves cat over
// SSH, logs to stderr and stops cleanly on SIGTERM; and it refuses bad
// command lines with status 2.
func TestListen(t *testing.T) {
	bin := buildServer(t)
	t.Run("serve", func(t *testing.T) { testListenServe(t, bin) })
	t.Run("usage", func(t *testing.T) { testListenUsage(t, bin) })
}

func testListenServe(t *testing.T, bin string) {
	dir := t.TempDir()
	logData := []byte("192.0.2.1 - - [10/Oct/2025:13:55:36 +0000] \"GET / HTTP/1.1\" 200 512 \"-\" \"curl/8\"\n")
	logFile := filepath.Join(dir, "access.log")
	if err := os.WriteFile(logFile, logData, 0o644); err != nil {
		t.Fatal(err)
	}
	_, signer := newKey(t)
	ak := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(ak, ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	hostKey := filepath.Join(dir, "host_key")

	cmd := exec.Command(bin, "listen", "--addr", "127.0.0.1:0", "--host-key", hostKey, "--authorized-keys", ak, "--log", "access="+logFile)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer kill.Stop()
	lines := bufio.NewScanner(stderr)
	var logged bytes.Buffer
	next := func(want string) string {
		t.Helper()
		for lines.Scan() {
			logged.WriteString(lines.Text() + "\n")
			if strings.Contains(lines.Text(), want) {
				return lines.Text()
			}
		}
		t.Fatalf("stderr ended without %q:\n%s", want, logged.String())
		return ""
	}
	// "… listening on 127.0.0.1:PORT, host key …"
	addr, _, _ := strings.Cut(strings.SplitAfter(next("listening on "), "listening on ")[1], ",")

	st, err := os.Stat(hostKey)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("host key file: %v, mode %v; want 0600", err, st.Mode())
	}
	c, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User:            "alice",
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), // the key's file permissions are checked above
		Timeout:         10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Output("cat access")
	if err != nil || !bytes.Equal(out, logData) {
		t.Errorf("cat access: %q, %v", out, err)
	}
	next(`exec "cat access"`)
	c.Close()
	next("disconnect")

	cmd.Process.Signal(syscall.SIGTERM)
	next("stopped")
	io.Copy(io.Discard, stderr)
	if err := cmd.Wait(); err != nil {
		t.Errorf("after SIGTERM: %v, want exit status 0", err)
	}
}

// buildServer builds this command into a temporary directory. (On
// errors it exits through urfave/cli's os.Exit, so it is tested as a
// process, not in-process.)
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "weblog-server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func testListenUsage(t *testing.T, bin string) {
	dir := t.TempDir()
	tests := [][]string{
		{"listen", "--log", "access=/var/log/x.log"},                                          // no --host-key
		{"listen", "--host-key", dir + "/hk", "--log", "access=/var/log/x.log"},               // nobody could log in
		{"listen", "--host-key", dir + "/hk", "--authorized-keys", dir + "/ak"},               // no log
		{"listen", "--host-key", dir + "/hk", "--authorized-keys", dir + "/ak", "--log", "a"}, // bad log
		{"listen", "--host-key", dir + "/hk", "--authorized-keys", dir + "/ak", "--log", "a=/x", "extra"},
	}
	for _, args := range tests {
		cmd := exec.Command(bin, args...)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "weblog-server: error: ") {
			t.Errorf("weblog-server %s: %v, %q; want status 2 and an error", strings.Join(args, " "), err, out)
		}
	}
}
