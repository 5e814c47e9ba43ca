package subsystem

import (
	"errors"
	"fmt"
	"io"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/redact"
	"github.com/weblogctl/weblogctl/wire"
)

// session is one session of a Server: who is on the other end, and what
// the session keeps from one request to the next. Its requests are served
// one at a time.
type session struct {
	*Server
	id  Identity
	red *redact.Redactor // nil when the profile redacts nothing
}

// start takes one of the profile's session slots for a new session and
// returns the session and the function that gives the slot back. When
// the slot cannot be taken it answers the client itself (one line on
// errOut, as PROTOCOL.md §1 does for refusals before any request), audits
// the refusal with request (what the client asked for, if known) and
// returns the error.
func (s *Server) start(id Identity, request string, errOut io.Writer) (*session, func(), *wire.Error) {
	dir := s.opts.SessionsDir
	if dir == "" {
		dir = policy.DefaultSlotDir()
	}
	release, err := policy.AcquireSlot(dir, s.profile.Name, s.profile.MaxSessions)
	if err != nil {
		// A cap that cannot be enforced fails closed.
		we := wire.Errorf(wire.StatusInternal, "cannot enforce the session limit")
		if errors.Is(err, policy.ErrTooManySessions) {
			we = wire.Errorf(wire.StatusLimit, fmt.Sprintf("too many sessions for profile %s", s.profile.Name))
		}
		newOutput(false, io.Discard, errOut).fail(we)
		s.audit(id, audit.Entry{Request: request, Result: audit.Denied, Reason: err.Error()})
		return nil, nil, we
	}
	ss := &session{Server: s, id: id}
	if len(s.profile.Redact) > 0 {
		// A Redactor keeps scratch state: one per session. The keys
		// were validated by New.
		if ss.red, err = redact.New(s.profile.Redact); err != nil {
			release()
			we := wire.Errorf(wire.StatusInternal, "redaction: "+err.Error())
			newOutput(false, io.Discard, errOut).fail(we)
			return nil, nil, we
		}
	}
	return ss, release, nil
}

// redactor returns the session's redactor set up for log name, or nil
// when nothing is redacted.
func (ss *session) redactor(name string) *redact.Redactor {
	if ss.red == nil {
		return nil
	}
	ss.red.UseFormat(ss.format(name))
	return ss.red
}
