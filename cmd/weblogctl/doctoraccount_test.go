package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// doctorAccount is the system account TestDoctorLogNotReadableByAccount
// logs in as: tests run as root, who can read any file.
const doctorAccount = "weblog-doctest"

// TestDoctorLogNotReadableByAccount: `weblogctl doctor web1` against a
// real sshd that logs a non-root account in with a forced command of
// weblog-server, whose policy names a log that account may not read
// (root's, mode 0600), reports that log not readable with a fix that
// names the account, and exits 1; the account's readable log passes.
func TestDoctorLogNotReadableByAccount(t *testing.T) {
	acct := sshdtest.Account(t, doctorAccount)
	uid, _ := strconv.Atoi(acct.Uid)
	gid, _ := strconv.Atoi(acct.Gid)
	// A directory the account may enter, holding the program sshd runs
	// for it and both logs (t.TempDir's parents are 0700 root).
	dir, err := os.MkdirTemp("", "weblog-doctor-account-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "weblog-server")
	prog, err := os.ReadFile(buildBin(t, "weblog-server"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, prog, 0o755); err != nil {
		t.Fatal(err)
	}
	readable, secret := filepath.Join(dir, "access.log"), filepath.Join(dir, "secret.log")
	if err := os.WriteFile(readable, genHostLog("web1", 20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secret, genHostLog("web1", 20), 0o600); err != nil {
		t.Fatal(err)
	}
	// The premise: the account gets EACCES from the log (not ENOENT, not
	// a refusal of weblog-server's), and can read the other one.
	asAccount := func(path string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "head", "-c1", path)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := asAccount(secret); err == nil || !strings.Contains(out, "Permission denied") {
		t.Fatalf("head -c1 %s as %s: %v %q; want Permission denied", secret, doctorAccount, err, out)
	}
	if out, err := asAccount(readable); err != nil {
		t.Fatalf("head -c1 %s as %s: %v %q", readable, doctorAccount, err, out)
	}

	srv := sshdtest.Start(t, sshdtest.Options{
		User:       acct.Username,
		KeyOptions: "restrict,command=" + strconv.Quote(bin+" --log access="+readable+" --log secret="+secret),
	})
	cfg, err := srv.SSHConfig("web1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"weblogctl", "-F", cfg, "doctor", "web1"}, &stdout, &stderr)
	out := stdout.String()
	t.Logf("weblogctl doctor web1 (exit %d):\n%s%s", code, out, stderr.String())
	if code != 1 {
		t.Errorf("exit status %d, want 1 (a check failed)", code)
	}
	wantLine := func(check, verdict string, says ...string) {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(verdict) + ` +` + regexp.QuoteMeta(check) + `  +(.*)$`).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("no %q line for %q", verdict, check)
			return
		}
		for _, s := range says {
			if !strings.Contains(m[1], s) {
				t.Errorf("%s: %q does not say %q", check, m[1], s)
			}
		}
	}
	wantLine("auth", "ok", "logged in as "+doctorAccount)
	wantLine("server", "ok", "forced command")
	wantLine("logs", "ok", "this key may read 2: access, secret")
	wantLine("log access", "ok", "readable: ")
	wantLine("log secret", "FAIL", "not readable now: the account "+doctorAccount+" may not read its file (permission denied)", "— fix: ",
		"sudo -u "+doctorAccount+" head -c1 PATH", "usermod -aG adm "+doctorAccount, "setfacl -m u:"+doctorAccount+":r PATH")
	wantLine("format secret", "skip", "not readable")
	wantLine("format access", "ok", "combined")
}
