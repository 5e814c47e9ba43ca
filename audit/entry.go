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
	// Key is the fingerprint of the client's key (see KeyFromUserAuth),
	// or "" when sshd does not expose it.
	Key string
	// Client is the client's address and port (see ClientFromSSHConnection).
	Client string
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
