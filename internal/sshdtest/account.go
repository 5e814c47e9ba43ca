package sshdtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"testing"
	"time"
)

// Account returns a system account called name that sshd lets log in
// (shell /bin/sh, home /var/lib/NAME, a password field of "*": no
// password, yet not locked, which sshd without PAM refuses), creating it
// with useradd when it does not exist and repairing it with usermod when
// it does, so that test runs can share it. Creating accounts needs root:
// the test is skipped when it does not run as root or useradd is missing,
// and fails instead when WEBLOG_REQUIRE_TOOLS=1.
func Account(t testing.TB, name string) *user.User {
	t.Helper()
	if os.Geteuid() != 0 {
		if ToolsRequired() {
			t.Fatalf("a test account needs root (WEBLOG_REQUIRE_TOOLS=1)")
		}
		t.Skip("not root: cannot create a test account")
	}
	useradd := Require(t, "useradd", "/usr/sbin/useradd")
	usermod := Require(t, "usermod", "/usr/sbin/usermod")
	u, err := ensureAccount(useradd, usermod, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// ensureAccount creates or repairs the account; see Account.
func ensureAccount(useradd, usermod, name string) (*user.User, error) {
	home := "/var/lib/" + name
	var last []byte
	// Another test binary may be creating it at the same moment: useradd
	// then fails on the lock of /etc/passwd or because the name exists.
	for attempt := 0; attempt < 20; attempt++ {
		if _, err := user.Lookup(name); err == nil {
			out, err := exec.Command(usermod, "--password", "*", "--shell", "/bin/sh", name).CombinedOutput()
			if err == nil {
				return user.Lookup(name)
			}
			last = fmt.Appendf(nil, "usermod: %v: %s", err, out)
		} else {
			out, err := exec.Command(useradd, "--system", "--shell", "/bin/sh", "--create-home", "--home-dir", home, "--password", "*", name).CombinedOutput()
			if err == nil {
				return user.Lookup(name)
			}
			last = fmt.Appendf(nil, "useradd: %v: %s", err, out)
		}
		time.Sleep(50 * time.Millisecond) // the lock holder is another process: no event to wait on
	}
	return nil, fmt.Errorf("test account %s: %s", name, last)
}
