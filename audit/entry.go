package audit

import "time"

// Result is the outcome of a request.
type Result string

// Results.
const (
	OK     Result = "ok"     // served
	Denied Result = "denied" // refused: not allowed, unavailable, malformed, over a limit
	Error  Result = "error"  // failed while being served (I/O error, internal error)
)

// Entry is one request as the audit log records it.
type Entry struct {
	// Time is when the request arrived; the zero Time means now.
	Time time.Time
	// Profile is the policy profile serving the session.
	Profile string
	// Key is the SHA256 fingerprint of the client's key ("SHA256:…"),
	// or "" when the SSH server does not tell it (sshd without
	// ExposeAuthInfo yes).
	Key string
	// Client is the client's address and port, "203.0.113.7:52144" or
	// "[2001:db8::1]:52144", or "".
	Client string
	// Cert is the OpenSSH certificate the client logged in with, or nil.
	Cert *Cert
	// Verb is the request's verb, as the client sent it.
	Verb string
	// Log is the log name the request asked for, as the client sent it.
	Log string
	// Request is the request line, as the client sent it; set it for
	// refused requests, so that the record shows what was tried. It is
	// cut to MaxField bytes.
	Request string
	// Bytes is how many bytes of log data were sent.
	Bytes int64
	// Duration is how long the request took.
	Duration time.Duration
	// Result is the outcome.
	Result Result
	// Reason says why a request was denied or failed.
	Reason string
}

// Cert is what the audit log records of an OpenSSH certificate: who the
// certificate authority said the key belongs to, and which certificate it
// was, so that it can be found and revoked.
type Cert struct {
	// ID is the certificate's key ID (ssh-keygen -I).
	ID string
	// Serial is its serial number (ssh-keygen -z).
	Serial uint64
}
