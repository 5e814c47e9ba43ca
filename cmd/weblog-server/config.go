package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/internal/buildinfo"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/subsystem"
)

// policyFlags say what may be read, by whom, and how; every mode of the
// server takes them. Everything fits in an authorized_keys line; --policy
// serves larger installs.
func policyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "log", Usage: "serve the file at absolute `NAME=PATH` (and its rotated siblings) as NAME; repeatable"},
		&cli.StringSliceFlag{Name: "log-format", Usage: "parse log NAME with `NAME=FORMAT`: common, combined, vhost_combined, nginx_main, json, an Apache LogFormat or an nginx log_format string (default: detected)"},
		&cli.StringFlag{Name: "policy", Usage: "read the profiles from the TOML policy `FILE` (owned by root or this user, not writable by others); needs --profile"},
		&cli.StringFlag{Name: "profile", Usage: "the profile `NAME`: in --policy, or the name of the flags' profile (audit log, session cap)"},
		&cli.StringSliceFlag{Name: "verbs", Usage: "allow only these `VERBS` (comma-separated: ls,stat,cat,follow,filter); default all"},
		&cli.StringSliceFlag{Name: "redact", Usage: "redact `KEYS` before any byte leaves the host: ip (to /24 and /48), query, ua, user"},
		&cli.Int64Flag{Name: "max-bytes", Usage: "send at most `N` bytes of log data per request"},
		&cli.DurationFlag{Name: "max-follow", Usage: "end a follow after `D`"},
		&cli.IntFlag{Name: "max-sessions", Usage: "at most `N` sessions of this profile at once on this host"},
		&cli.DurationFlag{Name: "idle-timeout", Usage: "close a session that sends no request for `D`"},
		&cli.BoolFlag{Name: "trust-symlinks", Usage: "allow a --log PATH that is a symbolic link (resolved at start)"},
		&cli.StringFlag{Name: "audit-log", Usage: "append one line per request to `FILE` (mode 0600)"},
		&cli.BoolFlag{Name: "audit-syslog", Usage: "send the audit lines to syslog too"},
	}
}

// server is what one server process serves, with its session cap and
// audit sinks.
type server struct {
	cfg         *subsystem.Config
	profile     *policy.Profile
	sessionsDir string
	closers     []io.Closer
}

// newServer builds the server from the flags, refusing to start on any
// doubt: an unsafe policy file, an unknown profile, a bad flag.
func newServer(c *cli.Context) (*server, error) {
	s := &server{}
	var auditLog string
	var auditSyslog bool
	if path := c.String("policy"); path != "" {
		for _, f := range []string{"log", "log-format", "verbs", "redact", "max-bytes", "max-follow", "max-sessions", "idle-timeout", "trust-symlinks"} {
			if c.IsSet(f) {
				return nil, fmt.Errorf("--%s: give it in the policy file, not beside --policy", f)
			}
		}
		if c.String("profile") == "" {
			return nil, errors.New("--policy needs --profile NAME")
		}
		file, err := policy.LoadFile(path)
		if err != nil {
			return nil, err
		}
		if s.profile, err = file.Profile(c.String("profile")); err != nil {
			return nil, err
		}
		auditLog, auditSyslog, s.sessionsDir = file.AuditLog, file.AuditSyslog, file.SessionsDir
	} else {
		p, err := policy.ProfileFromFlags(policy.Flags{
			Name: c.String("profile"), Logs: c.StringSlice("log"), Verbs: c.StringSlice("verbs"), Redact: c.StringSlice("redact"),
			MaxBytes: c.Int64("max-bytes"), MaxFollow: c.Duration("max-follow"), MaxSessions: c.Int("max-sessions"),
			IdleTimeout: c.Duration("idle-timeout"), TrustSymlinks: c.Bool("trust-symlinks"), LogFormats: c.StringSlice("log-format"),
		})
		if err != nil {
			return nil, err
		}
		s.profile = p
	}
	if c.IsSet("audit-log") {
		auditLog = c.String("audit-log")
	}
	auditSyslog = auditSyslog || c.Bool("audit-syslog")

	pol, err := s.profile.Policy()
	if err != nil {
		return nil, err
	}
	p := s.profile
	s.cfg = &subsystem.Config{Policy: pol, Version: buildinfo.Version(Version), Verbs: p.Verbs, Redact: p.Redact,
		MaxBytes: p.MaxBytes, MaxFollow: p.MaxFollow, IdleTimeout: p.IdleTimeout}
	if s.cfg.Formats, err = logFormats(p.LogFormats); err != nil {
		return nil, err
	}
	if err := s.openAudit(auditLog, auditSyslog); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// openAudit sets up the audit sinks. Their errors never reach the client:
// stderr is the client's.
func (s *server) openAudit(path string, syslog bool) error {
	var loggers []*audit.Logger
	if path != "" {
		f, err := audit.OpenFile(path)
		if err != nil {
			return fmt.Errorf("--audit-log: %w", err)
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
		return nil
	}
	base := audit.FromEnv(os.Getenv)
	base.Profile = s.profile.Name
	s.cfg.Audit = func(e audit.Entry) {
		e.Profile, e.Key, e.Client = base.Profile, base.Key, base.Client
		for _, l := range loggers {
			l.Log(e)
		}
	}
	return nil
}

// acquire takes one of the profile's session slots; release gives it back.
func (s *server) acquire() (release func(), err error) {
	dir := s.sessionsDir
	if dir == "" {
		dir = policy.DefaultSlotDir()
	}
	return policy.AcquireSlot(dir, s.profile.Name, s.profile.MaxSessions)
}

func (s *server) close() {
	for _, c := range s.closers {
		c.Close()
	}
}

// logFormats compiles the profile's log formats (validated already).
func logFormats(formats map[string]string) (map[string]accesslog.Format, error) {
	var out map[string]accesslog.Format
	for name, format := range formats {
		f, err := accesslog.ParseFormat(format)
		if err != nil {
			return nil, fmt.Errorf("log format of %s: %w", name, err)
		}
		if out == nil {
			out = map[string]accesslog.Format{}
		}
		out[name] = f
	}
	return out, nil
}
