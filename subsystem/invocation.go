package subsystem

import (
	"path"
	"strings"

	"github.com/weblogctl/weblogctl/wire"
)

// Mode is how sshd started the server (PROTOCOL.md §1).
type Mode int

// Modes.
const (
	ModeStream Mode = iota // requests on stdin
	ModeExec               // one request, from SSH_ORIGINAL_COMMAND
)

// ServerName is the server binary's name, by which it recognises its own
// command line in SSH_ORIGINAL_COMMAND.
const ServerName = wire.ServerName

// Help is the text shown to someone who logs in interactively.
const Help = `weblog-server: this key can only read logs; there is no shell here.
usage: ssh HOST ls | stat LOG | cat LOG | follow [-n N] LOG | version
   or: weblogctl ls|fetch|follow HOST
`

// Invocation decides the mode from SSH_ORIGINAL_COMMAND (origCmd, and
// whether it is set at all), whether the session has a terminal, and the
// server's own program name (argv[0]). It returns the request line for
// ModeExec. Anything that is not a weblog request is refused here or by
// the request grammar; nothing is ever run.
func Invocation(origCmd string, set, tty bool, self string) (Mode, string, *wire.Error) {
	if !set {
		if tty {
			return 0, "", wire.Errorf(wire.StatusUsage, "interactive login refused: this key can only read logs (try: ssh HOST ls)")
		}
		return ModeStream, "", nil
	}
	fields := strings.Fields(origCmd)
	if len(fields) == 0 {
		return 0, "", wire.Errorf(wire.StatusUsage, "empty command refused: this key can only read logs (try: ssh HOST ls)")
	}
	// With both a forced command and a Subsystem line, sshd passes the
	// Subsystem's configured command line: our own binary. Its arguments
	// are ignored; the policy comes from our own argv only.
	first := path.Base(fields[0])
	if first == ServerName || (self != "" && first == path.Base(self)) {
		return ModeStream, "", nil
	}
	return ModeExec, origCmd, nil
}
