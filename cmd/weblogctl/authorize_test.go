package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

func TestAuthorizeCommand(t *testing.T) {
	key := filepath.Join(t.TempDir(), "carol")
	writeKey(t, key)
	keyFile := key + ".pub"
	pub, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"weblogctl", "authorize", "--key", keyFile,
		"--log", "access=/var/log/a,b.log", "--log", "error=/var/log/error.log", "--redact", "ip,query", "--from", "10.0.0.0/8"}, &stdout, &stderr)
	if status != 0 || stderr.Len() != 0 {
		t.Fatalf("status %d, stderr %q", status, stderr.String())
	}
	want := `restrict,command="/usr/local/bin/weblog-server --log access=/var/log/a,b.log --log error=/var/log/error.log --redact ip,query",from="10.0.0.0/8" ` +
		strings.TrimSuffix(string(pub), "\n") + "\n"
	if stdout.String() != want {
		t.Errorf("stdout =\n%s\nwant\n%s", stdout.String(), want)
	}

	stdout.Reset()
	status = run(context.Background(), []string{"weblogctl", "authorize", "--key", keyFile, "--log", "access=relative.log"}, &stdout, &stderr)
	if status != exitUsage || stdout.Len() != 0 || !strings.Contains(stderr.String(), "weblogctl: error: authorize: ") {
		t.Errorf("bad --log: status %d, stdout %q, stderr %q", status, stdout.String(), stderr.String())
	}
	stderr.Reset()
	status = run(context.Background(), []string{"weblogctl", "authorize", "--log", "access=/a"}, &stdout, &stderr)
	if status != exitUsage || stdout.Len() != 0 || !strings.Contains(stderr.String(), "--key KEY.pub is required") {
		t.Errorf("no --key: status %d, stdout %q, stderr %q", status, stdout.String(), stderr.String())
	}
}

// TestAuthorizeSSHD pastes the line authorize prints into the
// authorized_keys of a real OpenSSH sshd and reads a log through it, the
// log's path holding a space, quotes, a backslash and a dollar sign.
func TestAuthorizeSSHD(t *testing.T) {
	sshPath := sshdtest.Require(t, "ssh", "/usr/bin/ssh")
	server := buildBin(t, "weblog-server")
	logDir := filepath.Join(t.TempDir(), `we b'logs "$HOME" \x`)
	if err := os.Mkdir(logDir, 0o755); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(logDir, "access log's.txt")
	data := append(genLog(50), "\x00\xff binary tail"...)
	writeLog(t, logPath, data)
	// sshdtest writes the client key it makes; the options are replaced
	// below by the whole line authorize prints, as an admin pastes it.
	s, cfg := startSSHD(t, sshdtest.Options{KeyOptions: "restrict"})
	install := func(extra ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args := append([]string{"weblogctl", "authorize", "--key", s.ClientKey + ".pub", "--server-path", server, "--log", "access=" + logPath}, extra...)
		if status := run(context.Background(), args, &stdout, &stderr); status != 0 {
			t.Fatalf("authorize: status %d: %s", status, stderr.String())
		}
		if err := os.WriteFile(filepath.Join(s.Dir, "authorized_keys"), stdout.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sshRun := func(cmd string) ([]byte, []byte, error) {
		var stdout, stderr bytes.Buffer
		c := exec.Command(sshPath, "-F", cfg, "web1", cmd)
		c.Stdin = nil
		c.Stdout, c.Stderr = &stdout, &stderr
		err := c.Run()
		return stdout.Bytes(), stderr.Bytes(), err
	}

	install("--from", "127.0.0.0/8")
	out, errOut, err := sshRun("cat access")
	if err != nil {
		t.Fatalf("ssh cat access: %v\n%s", err, errOut)
	}
	if !bytes.Equal(out, data) {
		t.Fatalf("ssh cat access: %d bytes, want the log's %d bytes", len(out), len(data))
	}
	// The forced command still refuses what is not a weblog request.
	out, _, err = sshRun("cat /etc/passwd; id")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 || len(out) != 0 {
		t.Errorf("ssh 'cat /etc/passwd; id': %v, stdout %q", err, out)
	}

	// from= is honoured: a key limited to another network is refused.
	install("--from", "192.0.2.0/24")
	if _, _, err := sshRun("cat access"); !errors.As(err, &ee) || ee.ExitCode() != 255 {
		t.Errorf("ssh from outside --from: %v, want refusal (exit 255)", err)
	}
}
