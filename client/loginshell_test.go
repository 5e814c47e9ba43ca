package client_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/internal/sshdtest"
	"github.com/weblogctl/weblogctl/sshdial"
)

// TestLoginShellNologin checks, against a real sshd, that an account whose
// login shell is nologin is reported as such, with what the shell must be,
// in weblog mode and in plain mode. The account's shell cannot be changed
// for a test, so the forced command or subsystem runs nologin itself:
// what reaches the client is the same (its message, exit status 1).
func TestLoginShellNologin(t *testing.T) {
	nologin := sshdtest.Require(t, "nologin", "/usr/sbin/nologin")
	for _, tt := range []struct {
		name string
		opt  sshdtest.Options
	}{
		{"forced command, message on stdout", sshdtest.Options{KeyOptions: `command="` + nologin + `"`}},
		{"subsystem", sshdtest.Options{Subsystem: nologin}},
		// What the issue saw: a nologin that writes to stderr, after sshd's
		// complaint about a missing home directory.
		{"message on stderr after chdir", sshdtest.Options{KeyOptions: `command="echo 'Could not chdir to home directory /nonexistent: No such file or directory' >&2; echo 'This account is currently not available.' >&2; exit 1"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := sshdtest.Start(t, tt.opt)
			cfg, err := s.SSHConfig("h")
			if err != nil {
				t.Fatal(err)
			}
			conn, err := sshdial.Dial(context.Background(), "h", sshdial.Config{ConfigFile: cfg})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			check := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, client.ErrLoginShell) || !strings.Contains(err.Error(), "/bin/sh") || strings.Contains(err.Error(), "chdir") {
					t.Errorf("%s: %v, want ErrLoginShell naming /bin/sh", what, err)
				}
			}
			_, err = client.New(conn).List(context.Background())
			check("List", err)
			if tt.opt.Subsystem == "" {
				check("PlainCat", client.PlainCat(context.Background(), conn, "/etc/hostname", io.Discard))
			}
		})
	}
}
