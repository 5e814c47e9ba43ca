package subsystem

import (
	"slices"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// Protocol is the protocol version this package speaks (PROTOCOL.md §7).
const Protocol = wire.Protocol

// Config is what a session may serve and how. The caller owns it and must
// not change it while sessions run.
type Config struct {
	// Policy names the logs that may be read; nil serves nothing.
	Policy *policy.Policy
	// Version is reported by the version verb.
	Version string
	// Formats gives the format of a log by name (weblog-server
	// --log-format); a log not in it is detected from its first lines.
	Formats map[string]accesslog.Format

	// Verbs are the verbs allowed; nil allows all. version is always
	// allowed.
	Verbs []string
	// Redact are the redaction keys (package redact) applied to every
	// line before it leaves the host, on every verb.
	Redact []string
	// MaxBytes caps the log bytes one request sends; 0: no cap.
	MaxBytes int64
	// MaxFollow caps how long one follow runs; 0: no cap.
	MaxFollow time.Duration
	// IdleTimeout ends a stream-mode session that sends no request for
	// this long; 0: never.
	IdleTimeout time.Duration
	// Audit, when set, is told about every request once it is answered.
	Audit func(audit.Entry)
}

// allows reports whether verb may be used.
func (c *Config) allows(verb string) bool {
	return verb == wire.VerbVersion || c.Verbs == nil || slices.Contains(c.Verbs, verb)
}
