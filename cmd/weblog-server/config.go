package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/internal/buildinfo"
	"github.com/weblogctl/weblogctl/internal/policyflag"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/subsystem"
)

// policyFlags say what may be read, by whom, and how; every mode of the
// server takes them. Everything fits in an authorized_keys line; --policy
// serves larger installs. They are policy's settings table.
func policyFlags() []cli.Flag {
	return policyflag.Flags(policy.ScopeProfile, policy.ScopeSource, policy.ScopeServer)
}

// server is what one server process serves, with its audit sinks.
type server struct {
	sub     *subsystem.Server
	opts    subsystem.Options // what sub was made with, for a certificate's forced command
	closers []io.Closer
}

// newServer builds the server from the flags, refusing to start on any
// doubt: an unsafe policy file, an unknown profile, a bad flag.
func newServer(c *cli.Context) (*server, error) {
	s := &server{}
	v := policyflag.Values(c)
	var profile *policy.Profile
	var opts subsystem.Options
	var auditLog string
	var auditSyslog bool
	if path := v.Last("policy"); path != "" {
		if given := v.Given(policy.ScopeProfile); len(given) > 0 {
			return nil, fmt.Errorf("--%s: give it in the policy file, not beside --policy", given[0])
		}
		if v.Last("profile") == "" {
			return nil, errors.New("--policy needs --profile NAME")
		}
		file, err := policy.LoadFile(path)
		if err != nil {
			return nil, err
		}
		if profile, err = file.Profile(v.Last("profile")); err != nil {
			return nil, err
		}
		auditLog, auditSyslog, opts.SessionsDir = file.AuditLog, file.AuditSyslog, file.SessionsDir
	} else {
		p, err := policy.ProfileFromFlags(v)
		if err != nil {
			return nil, err
		}
		profile = p
	}
	if _, ok := v["audit-log"]; ok {
		auditLog = v.Last("audit-log")
	}
	auditSyslog = auditSyslog || v.Last("audit-syslog") == "true"

	opts.Version = buildinfo.Version(Version)
	opts.Started = time.Now()
	var err error
	if opts.Audit, err = s.openAudit(auditLog, auditSyslog); err != nil {
		s.close()
		return nil, err
	}
	s.opts = opts
	if s.sub, err = subsystem.New(profile, opts); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// openAudit opens the audit sinks and returns the function that writes
// to them, nil when there are none. Their errors never reach the client:
// stderr is the client's.
func (s *server) openAudit(path string, syslog bool) (func(audit.Entry), error) {
	var loggers []*audit.Logger
	if path != "" {
		f, err := audit.OpenFile(path)
		if err != nil {
			return nil, fmt.Errorf("--audit-log: %w", err)
		}
		s.closers = append(s.closers, f)
		loggers = append(loggers, audit.New(f))
	}
	if syslog {
		w, _ := audit.Syslog(subsystem.ServerName) // retried on each write
		s.closers = append(s.closers, w)
		loggers = append(loggers, audit.New(w))
	}
	if len(loggers) == 0 {
		return nil, nil
	}
	return func(e audit.Entry) {
		for _, l := range loggers {
			l.Log(e)
		}
	}, nil
}

func (s *server) close() {
	for _, c := range s.closers {
		c.Close()
	}
}

// forced serves the profile of a certificate's forced command in the
// embedded server, with this server's audit sinks and session slots. A
// command that asks for audit is refused when this server has no audit
// log: its requests would go unrecorded.
func (s *server) forced(fc policy.ForcedCommand) (*subsystem.Server, error) {
	if fc.Audit && s.opts.Audit == nil {
		return nil, errors.New("it asks for an audit log and this server has none (start it with --audit-log FILE)")
	}
	return subsystem.New(fc.Profile, s.opts)
}
