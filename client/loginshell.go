package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// ErrLoginShell means the account's login shell refuses to run commands:
// nologin(8) answered instead of weblog-server. sshd runs forced commands
// and Subsystem commands through the account's shell ($SHELL -c), so that
// account needs a real shell.
var ErrLoginShell = errors.New("the account's login shell does not run commands")

// nologinMessage is what nologin(8) prints, on stdout or stderr depending
// on its version, before it exits with status 1.
const nologinMessage = "This account is currently not available."

// loginShellError returns an ErrLoginShell error when nologin's message
// appeared on a remote command's stdout (the first bytes, in head) or
// stderr and the command exited with status 1 (or an unknown status: x/crypto
// reports none for a subsystem), and nil otherwise. sshd may write its own
// complaint first ("Could not chdir to home directory …"), which is not the
// cause.
func loginShellError(werr error, stderr *limitedBuffer, head *headRecorder) error {
	var exit interface{ ExitStatus() int }
	if werr == nil || errors.As(werr, &exit) && exit.ExitStatus() != 1 {
		return nil
	}
	if !stderr.contains(nologinMessage) && !head.contains(nologinMessage) {
		return nil
	}
	return fmt.Errorf("%w (it says %q): sshd runs weblog-server through the account's login shell ($SHELL -c), so that must be a real shell such as /bin/sh, not nologin (chsh -s /bin/sh USER)",
		ErrLoginShell, nologinMessage)
}

// headRecorder reads from r and keeps the first bytes read, for
// loginShellError. A nil *headRecorder holds nothing.
type headRecorder struct {
	r    io.Reader
	mu   sync.Mutex
	head []byte
}

// maxHead is how much of an answer headRecorder keeps.
const maxHead = 256

func (h *headRecorder) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.mu.Lock()
	if room := maxHead - len(h.head); room > 0 {
		h.head = append(h.head, p[:min(n, room)]...)
	}
	h.mu.Unlock()
	return n, err
}

func (h *headRecorder) contains(s string) bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return bytes.Contains(h.head, []byte(s))
}
