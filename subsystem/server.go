package subsystem

import (
	"errors"
	"fmt"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// Protocol is the protocol version this package speaks (PROTOCOL.md §7).
const Protocol = wire.Protocol

// Options are what a Server needs besides its profile. The zero value
// is usable: no version string, no audit, the default session directory.
type Options struct {
	// Version is reported by the version verb.
	Version string
	// Started is when the server process started, for the version
	// answer's uptime (weblogctl doctor's login-shell cost); zero: unknown.
	Started time.Time
	// Audit, when set, is told about every request once it is answered,
	// and about every session refused by the profile's session cap. The
	// Entry carries the profile's name and the session's Identity. It
	// must be safe for concurrent use: sessions run at once.
	Audit func(audit.Entry)
	// SessionsDir is where the profile's session slots live (see
	// policy.AcquireSlot); "" means policy.DefaultSlotDir().
	SessionsDir string
}

// Server serves the sessions of one policy profile: which logs exist,
// the verbs, redaction and limits, all taken from the Profile as it is
// when New is called. It enforces all of them itself, the session cap
// included, however the session reached it (forced command, sshd
// Subsystem, the embedded server). It is safe for concurrent use.
type Server struct {
	profile policy.Profile // a private copy
	policy  *policy.Policy
	formats map[string]accesslog.Format
	opts    Options
}

// New validates p and prepares a Server for it: log paths are resolved
// (see policy.Profile.Policy) and log formats compiled once, here. A nil
// profile is an error: there is no profile that serves by default.
func New(p *policy.Profile, opts Options) (*Server, error) {
	if p == nil {
		return nil, errors.New("subsystem: no profile")
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("subsystem: %w", err)
	}
	pol, err := p.Policy()
	if err != nil {
		return nil, fmt.Errorf("subsystem: %w", err)
	}
	s := &Server{profile: p.Clone(), policy: pol, opts: opts}
	for name, format := range p.LogFormats {
		f, err := accesslog.ParseFormat(format)
		if err != nil {
			return nil, fmt.Errorf("subsystem: log format of %s: %w", name, err)
		}
		if s.formats == nil {
			s.formats = map[string]accesslog.Format{}
		}
		s.formats[name] = f
	}
	return s, nil
}

// Profile returns the name of the profile s serves.
func (s *Server) Profile() string { return s.profile.Name }

// DefaultLog returns the name of the profile's first log, the one a
// client that names none gets.
func (s *Server) DefaultLog() string { return s.policy.Logs[0].Name }

// allows reports whether verb may be used.
func (s *Server) allows(verb string) bool { return s.profile.Allows(verb) }

// format returns the configured format of log name, or the zero Format
// (detect it).
func (s *Server) format(name string) accesslog.Format { return s.formats[name] }

// audit records e, with the profile and the session's identity, when
// auditing is on.
func (s *Server) audit(id Identity, e audit.Entry) {
	if s.opts.Audit == nil {
		return
	}
	e.Profile, e.Key, e.Client, e.Cert = s.profile.Name, id.Key, id.Client, id.Cert
	s.opts.Audit(e)
}

// unavailableVerb is the answer for a verb the profile does not allow.
func unavailableVerb(verb string) *wire.Error {
	return wire.Errorf(wire.StatusUnavailable, fmt.Sprintf("%s is not allowed for this key", verb))
}
