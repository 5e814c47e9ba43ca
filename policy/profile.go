package policy

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/redact"
	"github.com/weblogctl/weblogctl/wire"
)

// DefaultProfile names a profile built from flags without a name.
const DefaultProfile = "default"

// MaxProfileName is the longest profile name accepted.
const MaxProfileName = 64

// ReadVerbs returns every verb a profile may allow, which is also what a
// profile without a verb list allows: version ls stat cat follow filter stats.
func ReadVerbs() []string {
	return []string{wire.VerbVersion, wire.VerbLs, wire.VerbStat, wire.VerbCat, wire.VerbFollow, wire.VerbFilter, wire.VerbStats}
}

// Profile is what one key (or team of keys) may do: which logs it may
// read, with which verbs, what is redacted before any byte leaves the
// host, and its limits. A Profile comes from flags (ProfileFromFlags) or
// from a policy file (File.Profile); nothing the client sends changes it.
//
// The zero value of each limit means "no limit".
type Profile struct {
	// Name identifies the profile in the audit log and names its session
	// slots (see AcquireSlot).
	Name string
	// Logs are the logs it may read, in order; the first is the default.
	Logs []Log
	// Verbs it may use; nil allows every verb of ReadVerbs. "version"
	// is always allowed: it tells nothing about the logs.
	Verbs []string
	// Redact lists the redaction keys (see package redact) applied to
	// every byte of log data sent, whatever the verb.
	Redact []string
	// MaxBytes caps the log bytes one request may send.
	MaxBytes int64
	// MaxFollow caps how long one follow (or following filter) may run.
	MaxFollow time.Duration
	// MaxSessions caps the sessions of this profile running at once, on
	// this host, across processes (see AcquireSlot).
	MaxSessions int
	// IdleTimeout ends a session that sends no request and receives no
	// log data for this long.
	IdleTimeout time.Duration
	// LogFormats gives the format of logs by name, as accepted by
	// accesslog.ParseFormat (a name, an Apache LogFormat or an nginx
	// log_format string); a log not in it is detected from its lines.
	LogFormats map[string]string
	// TrustSymlinks lets a log path be a symbolic link, which Policy
	// resolves when the session starts. Without it a symlinked log is
	// refused (see OpenFile).
	TrustSymlinks bool
}

// Validate reports the first thing wrong with p: an invalid name, no
// logs, an invalid log name or a relative log path, a name used twice, an
// unknown or repeated verb or redaction key, or a negative limit.
func (p *Profile) Validate() error {
	if err := checkProfileName(p.Name); err != nil {
		return err
	}
	for name, format := range p.LogFormats {
		if !slices.ContainsFunc(p.Logs, func(l Log) bool { return l.Name == name }) {
			return fmt.Errorf("profile %s: log format for %q, which is not one of its logs", p.Name, name)
		}
		if _, err := accesslog.ParseFormat(format); err != nil {
			return fmt.Errorf("profile %s: log format of %s: %w", p.Name, name, err)
		}
	}
	if len(p.Logs) == 0 {
		return fmt.Errorf("profile %s: no logs", p.Name)
	}
	seen := map[string]bool{}
	for _, l := range p.Logs {
		if _, err := ParseLog(l.Name + "=" + l.Path); err != nil {
			return fmt.Errorf("profile %s: %w", p.Name, err)
		}
		if l.Path != filepath.Clean(l.Path) {
			return fmt.Errorf("profile %s: log %s: path %s is not clean", p.Name, l.Name, strconv.Quote(l.Path))
		}
		if seen[l.Name] {
			return fmt.Errorf("profile %s: log name %s given twice", p.Name, l.Name)
		}
		seen[l.Name] = true
	}
	if p.Verbs != nil {
		if len(p.Verbs) == 0 {
			return fmt.Errorf("profile %s: empty verb list (leave it out to allow every read verb)", p.Name)
		}
		seen := map[string]bool{}
		for _, v := range p.Verbs {
			if !isReadVerb(v) {
				return fmt.Errorf("profile %s: unknown verb %s (known: %s)", p.Name, strconv.QuoteToASCII(v), strings.Join(ReadVerbs(), ", "))
			}
			if seen[v] {
				return fmt.Errorf("profile %s: verb %s given twice", p.Name, v)
			}
			seen[v] = true
		}
	}
	if _, err := redact.New(p.Redact); err != nil {
		return fmt.Errorf("profile %s: %w", p.Name, err)
	}
	switch {
	case p.MaxBytes < 0:
		return fmt.Errorf("profile %s: max bytes %d is negative", p.Name, p.MaxBytes)
	case p.MaxFollow < 0:
		return fmt.Errorf("profile %s: max follow %s is negative", p.Name, p.MaxFollow)
	case p.MaxSessions < 0:
		return fmt.Errorf("profile %s: max sessions %d is negative", p.Name, p.MaxSessions)
	case p.IdleTimeout < 0:
		return fmt.Errorf("profile %s: idle timeout %s is negative", p.Name, p.IdleTimeout)
	}
	return nil
}

// checkProfileName accepts [A-Za-z0-9][A-Za-z0-9._-]*, at most
// MaxProfileName bytes: safe in a file name, a log line and a flag.
func checkProfileName(name string) error {
	ok := name != "" && len(name) <= MaxProfileName && isAlnum(name[0])
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = isAlnum(c) || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("invalid profile name %s: want letters, digits, '.', '_' and '-', starting with a letter or digit, at most %d bytes",
			strconv.QuoteToASCII(name), MaxProfileName)
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isReadVerb(v string) bool {
	for _, r := range ReadVerbs() {
		if v == r {
			return true
		}
	}
	return false
}

// Allows reports whether p allows verb. "version" is always allowed; a
// nil Profile allows nothing.
func (p *Profile) Allows(verb string) bool {
	if p == nil {
		return false
	}
	if verb == wire.VerbVersion {
		return true
	}
	verbs := p.Verbs
	if verbs == nil {
		verbs = ReadVerbs()
	}
	for _, v := range verbs {
		if v == verb {
			return true
		}
	}
	return false
}

// Policy returns the logs of p as a Policy to serve. With TrustSymlinks,
// a log path that is a symbolic link is resolved now, so that the safe
// open (which never follows a symlink in the last component) opens its
// target and the target's rotated siblings; a path that does not resolve
// stays as it is and will be unavailable.
func (p *Profile) Policy() (*Policy, error) {
	logs := make([]Log, len(p.Logs))
	copy(logs, p.Logs)
	if p.TrustSymlinks {
		for i, l := range logs {
			if fi, err := os.Lstat(l.Path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				continue
			}
			if target, err := filepath.EvalSymlinks(l.Path); err == nil {
				logs[i].Path = target
			}
		}
	}
	return New(logs)
}

// FormatDuration formats d as time.Duration.String does, without the zero
// units at its end: 1h rather than 1h0m0s, 1m30s rather than 1m30s.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Clone returns a deep copy of p, which shares nothing with it.
func (p *Profile) Clone() Profile {
	c := *p
	c.Logs = slices.Clone(p.Logs)
	c.Verbs = slices.Clone(p.Verbs)
	c.Redact = slices.Clone(p.Redact)
	c.LogFormats = maps.Clone(p.LogFormats)
	return c
}
