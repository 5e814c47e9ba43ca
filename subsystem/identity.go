package subsystem

import (
	"time"

	"github.com/weblogctl/weblogctl/audit"
)

// Identity is who is on the other end of one session, as the SSH server
// that runs the session tells it (in the shape of gliderlabs/ssh's
// Session: the handler is given the session's peer, it does not look it
// up). cmd/weblog-server reads it from sshd's environment, the embedded
// server from its connection. It is recorded with every request of the
// session in the audit log; it grants nothing.
type Identity struct {
	// Key is the SHA256 fingerprint of the key the client logged in with
	// ("SHA256:…", as ssh-keygen -l prints it; for a certificate, of the
	// certified key), or "" when the server does not know it.
	Key string
	// Client is the client's address and port ("203.0.113.7:52144",
	// "[2001:db8::1]:52144"), or "".
	Client string
	// Cert is the OpenSSH certificate the client logged in with, or nil.
	Cert *audit.Cert
	// Until is when the client's credential stops being valid (an
	// OpenSSH certificate's end of validity), or the zero Time when the
	// server does not know one. ls reports it as access_until
	// (PROTOCOL.md §3.2); the SSH server, not this package, ends the
	// session then.
	Until time.Time
}
