package sshserver

import (
	"io"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/subsystem"
)

// Config says what the server serves, to whom, and within which limits.
// The caller owns it; New copies what it needs. There is no insecure zero
// value: a Config that names no way to log in, or no Subsystem, is
// refused.
type Config struct {
	// Addr is the TCP address ListenAndServe listens on, e.g.
	// "127.0.0.1:2222". Serve ignores it.
	Addr string
	// HostKeyFile holds the server's ed25519 host key in OpenSSH format.
	// It is created (mode 0600) when it does not exist; an existing file
	// must not be readable or writable by group or others, like sshd's.
	HostKeyFile string
	// AuthorizedKeysFile lists the public keys that may log in, in
	// OpenSSH authorized_keys format. Options that only restrict what we
	// never do anyway (restrict, no-pty, no-port-forwarding, …) are
	// accepted; any other option (command=, from=, cert-authority …) is
	// refused rather than ignored. "" allows no key.
	AuthorizedKeysFile string
	// TrustedUserCAKeysFile, if not "", lists certificate authorities,
	// one public key per line like sshd's TrustedUserCAKeys: a user
	// certificate that one of them signed logs in when it is valid now,
	// the user name is one of its principals, the client's address
	// matches its source-address and it has no other critical option
	// than source-address and force-command. Its force-command is read
	// as weblog-server's profile flags (policy.ParseForcedCommand),
	// never run, and ForcedSubsystem serves that profile to the connection; a
	// certificate without one gets Subsystem, like a key. It must not be
	// writable by group or others.
	TrustedUserCAKeysFile string
	// ForcedSubsystem builds what serves the sessions of a certificate
	// with the force-command cmd; it must refuse a cmd that asks for
	// audit (cmd.Audit) when it does not audit. nil: such certificates
	// are refused.
	ForcedSubsystem func(cmd policy.ForcedCommand) (*subsystem.Server, error)
	// PasswordFile, if not "", enables password logins: one "USER:HASH"
	// per line, HASH a bcrypt hash ($2a$, $2b$ or $2y$), as made by
	// `htpasswd -nbB USER PASSWORD`. Blank lines and lines starting with
	// # are ignored. It must not be writable by group or others nor
	// readable by others.
	PasswordFile string
	// Subsystem serves every session: the policy profile, its limits
	// (the session cap included, across connections) and the audit log.
	// Each session is given the client's identity: the fingerprint of
	// the key it logged in with and its address. Required.
	Subsystem *subsystem.Server
	// Logger receives one line per connection, login, refusal and
	// request. nil discards them.
	Logger io.Writer
	// Limits bound what clients can make the server do; zero fields take
	// the defaults documented on Limits.
	Limits Limits
}

// ServerVersion is the SSH identification string the server sends. It
// names the software but not its version.
const ServerVersion = "SSH-2.0-weblog-server"
