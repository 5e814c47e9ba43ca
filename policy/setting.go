package policy

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Kind is how a Setting's value is written.
type Kind int

// Kinds of settings.
const (
	// KindValue takes one value (a number, a duration, a name, a path);
	// given again, the last one counts.
	KindValue Kind = iota
	// KindList may be given several times, each value a comma-separated
	// list; in a policy file, an array of strings.
	KindList
	// KindPairs may be given several times, each value NAME=VALUE; in a
	// policy file, a table.
	KindPairs
	// KindSwitch is a flag without a value; in a policy file, a boolean.
	KindSwitch
)

// Scope is what a Setting belongs to.
type Scope int

// Scopes of settings.
const (
	// ScopeProfile settings are a Profile's: in a policy file they are
	// keys of [profiles.NAME], and Profile.Args writes them.
	ScopeProfile Scope = iota
	// ScopeServer settings are the server process's (the audit log):
	// in a policy file they are top-level keys.
	ScopeServer
	// ScopeSource settings say where the profile comes from (--policy,
	// --profile); they are flags only.
	ScopeSource
)

// Setting is one weblog-server setting. Settings returns the one table
// of them, from which weblog-server's flags, weblogctl authorize's flags,
// the policy file's keys and Profile.Args are all built, so that a
// setting cannot exist in one place and be missing from another.
type Setting struct {
	// Name is the flag, --NAME; "" for a setting that only a policy
	// file holds.
	Name string
	// Key is the policy file's key; "" for a setting that is a flag only.
	Key string
	// Arg names the value in help text ("N", "NAME=PATH"); "" for a switch.
	Arg string
	// Usage is the help text, with Arg in backquotes where it appears.
	Usage string
	// Kind is how the value is written.
	Kind Kind
	// Scope is what the setting belongs to.
	Scope Scope
}

// setting is a Setting with what reads and writes it.
type setting struct {
	Setting
	// apply adds one value to p: one item for a list (the flag's value
	// split at commas), one NAME=VALUE for pairs, "true" or "false" for
	// a switch. Nil for settings that are not a Profile's.
	apply func(p *Profile, v string) error
	// values returns p's values, as apply takes them back (a list
	// joined with commas); none when p has the default.
	values func(p *Profile) []string
	// server sets a server-scope setting of a policy file.
	server func(f *File, v string) error
	// toml is the Go type a policy file's value decodes into: int64,
	// string, bool, []string or map[string]string (see fileValues).
	toml any
}

// Settings returns every setting, in the order Profile.Args writes them.
func Settings() []Setting {
	var out []Setting
	for _, s := range settings() {
		out = append(out, s.Setting)
	}
	return out
}

// settings is the table.
func settings() []setting {
	t := table()
	for i := range t {
		switch s := &t[i]; {
		case s.Kind == KindPairs:
			s.toml = map[string]string{}
		case s.Kind == KindList:
			s.toml = []string{}
		case s.Kind == KindSwitch:
			s.toml = false
		case s.Arg == "N":
			s.toml = int64(0)
		default:
			s.toml = ""
		}
	}
	return t
}

// table is the settings, without their policy file types.
func table() []setting {
	return []setting{
		{Setting: Setting{Name: "log", Key: "logs", Arg: "NAME=PATH", Kind: KindPairs,
			Usage: "serve the file at absolute `NAME=PATH` (and its rotated siblings) as NAME; repeatable"},
			apply: func(p *Profile, v string) error {
				l, err := ParseLog(v)
				p.Logs = append(p.Logs, l)
				return err
			},
			values: func(p *Profile) []string {
				var out []string
				for _, l := range p.Logs {
					out = append(out, l.Name+"="+l.Path)
				}
				return out
			}},
		{Setting: Setting{Name: "verbs", Key: "verbs", Arg: "VERBS", Kind: KindList,
			Usage: "allow only these `VERBS` (comma-separated: " + strings.Join(ReadVerbs()[1:], ",") + "; version is always allowed); default all"},
			apply:  func(p *Profile, v string) error { p.Verbs = append(p.Verbs, v); return nil },
			values: func(p *Profile) []string { return joined(p.Verbs, p.Verbs != nil) }},
		{Setting: Setting{Name: "redact", Key: "redact", Arg: "KEYS", Kind: KindList,
			Usage: "redact `KEYS` before any byte leaves the host (comma-separated): ip (to /24 and /48), query, ua, user"},
			apply:  func(p *Profile, v string) error { p.Redact = append(p.Redact, v); return nil },
			values: func(p *Profile) []string { return joined(p.Redact, len(p.Redact) > 0) }},
		{Setting: Setting{Name: "max-bytes", Key: "max_bytes", Arg: "N", Usage: "send at most `N` bytes of log data per request"},
			apply:  func(p *Profile, v string) (err error) { p.MaxBytes, err = parseInt(v); return err },
			values: func(p *Profile) []string { return nonZero(p.MaxBytes, strconv.FormatInt(p.MaxBytes, 10)) }},
		{Setting: Setting{Name: "max-follow", Key: "max_follow", Arg: "D", Usage: "end a follow after `D` (a duration: 90s, 10m, 1h)"},
			apply: func(p *Profile, v string) (err error) {
				p.MaxFollow, err = parseDuration(v)
				return err
			},
			values: func(p *Profile) []string { return nonZero(p.MaxFollow, FormatDuration(p.MaxFollow)) }},
		{Setting: Setting{Name: "max-sessions", Key: "max_sessions", Arg: "N", Usage: "at most `N` sessions of this profile at once on this host"},
			apply: func(p *Profile, v string) error {
				n, err := parseInt(v)
				p.MaxSessions = int(n)
				if err == nil && int64(p.MaxSessions) != n {
					err = errors.New("too large")
				}
				return err
			},
			values: func(p *Profile) []string { return nonZero(p.MaxSessions, strconv.Itoa(p.MaxSessions)) }},
		{Setting: Setting{Name: "idle-timeout", Key: "idle_timeout", Arg: "D", Usage: "close a session that sends no request for `D`"},
			apply: func(p *Profile, v string) (err error) {
				p.IdleTimeout, err = parseDuration(v)
				return err
			},
			values: func(p *Profile) []string { return nonZero(p.IdleTimeout, FormatDuration(p.IdleTimeout)) }},
		{Setting: Setting{Name: "log-format", Key: "log_formats", Arg: "NAME=FORMAT", Kind: KindPairs,
			Usage: "parse log NAME with `NAME=FORMAT`: common, combined, vhost_combined, nginx_main, json, an Apache LogFormat or an nginx log_format string (default: detected)"},
			apply: func(p *Profile, v string) error {
				name, format, ok := strings.Cut(v, "=")
				if !ok {
					return fmt.Errorf("--log-format %q: want NAME=FORMAT", v)
				}
				if p.LogFormats == nil {
					p.LogFormats = map[string]string{}
				}
				p.LogFormats[name] = format
				return nil
			},
			values: func(p *Profile) []string {
				var out []string
				for _, l := range p.Logs { // in the order of the logs
					if f, ok := p.LogFormats[l.Name]; ok {
						out = append(out, l.Name+"="+f)
					}
				}
				return out
			}},
		{Setting: Setting{Name: "trust-symlinks", Key: "trust_symlinks", Kind: KindSwitch, Usage: "allow a --log PATH that is a symbolic link (resolved at start)"},
			apply: func(p *Profile, v string) (err error) {
				if p.TrustSymlinks, err = strconv.ParseBool(v); err != nil {
					err = errors.New("want true or false")
				}
				return err
			},
			values: func(p *Profile) []string { return nonZero(p.TrustSymlinks, "true") }},

		{Setting: Setting{Name: "policy", Arg: "FILE", Scope: ScopeSource,
			Usage: "read the profiles from the TOML policy `FILE` (owned by root or this user, not writable by others); needs --profile"}},
		{Setting: Setting{Name: "profile", Arg: "NAME", Scope: ScopeSource,
			Usage: "the profile `NAME`: in --policy, or the name of the flags' profile (audit log, session cap)"}},
		{Setting: Setting{Name: "audit-log", Key: "audit_log", Arg: "FILE", Scope: ScopeServer,
			Usage: "append one line per request to `FILE` (mode 0600)"},
			server: func(f *File, v string) error { f.AuditLog = v; return absPath(v) }},
		{Setting: Setting{Name: "audit-syslog", Key: "audit_syslog", Kind: KindSwitch, Scope: ScopeServer,
			Usage: "send the audit lines to syslog too"},
			server: func(f *File, v string) error { f.AuditSyslog = v == "true"; return nil }},
		{Setting: Setting{Key: "sessions_dir", Arg: "DIR", Scope: ScopeServer,
			Usage: "where session slots live (see AcquireSlot)"},
			server: func(f *File, v string) error { f.SessionsDir = v; return absPath(v) }},
	}
}

// joined is a list setting's one value, when present.
func joined(items []string, present bool) []string {
	if !present {
		return nil
	}
	return []string{strings.Join(items, ",")}
}

// nonZero is a setting's one value, v, unless x is the default.
func nonZero[T comparable](x T, v string) []string {
	var zero T
	if x == zero {
		return nil
	}
	return []string{v}
}

func parseInt(v string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errors.New("not a whole number")
	}
	return n, nil
}

// parseDuration parses a Go duration. A bare number is refused: its unit
// would be a guess.
func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("not a duration like \"90s\", \"10m\" or \"1h\": %s", strconv.QuoteToASCII(v))
	}
	return d, nil
}

// absPath refuses a path that is not absolute (or holds a NUL).
func absPath(v string) error {
	if !filepath.IsAbs(v) || strings.ContainsRune(v, 0) {
		return fmt.Errorf("%s is not an absolute path", strconv.QuoteToASCII(v))
	}
	return nil
}

// Values are settings given as text, by Setting.Name, each with its
// values in the order given: what flags on a command line give. A
// switch's value is "true" or "false".
type Values map[string][]string

// Given returns the names of the settings of scope that v holds, in the
// order of Settings.
func (v Values) Given(scope Scope) []string {
	var names []string
	for _, s := range settings() {
		if s.Scope == scope && s.Name != "" && len(v[s.Name]) > 0 {
			names = append(names, s.Name)
		}
	}
	return names
}

// Last returns the last value of setting name in v, or "".
func (v Values) Last(name string) string {
	if vs := v[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// ParseArgs reads weblog-server's setting flags, as Profile.Args writes
// them (--NAME VALUE, --SWITCH), into Values. Anything else is an error.
func ParseArgs(args []string) (Values, error) {
	byName := map[string]setting{}
	for _, s := range settings() {
		if s.Name != "" {
			byName[s.Name] = s
		}
	}
	v := Values{}
	for i := 0; i < len(args); i++ {
		name, ok := strings.CutPrefix(args[i], "--")
		s, known := byName[name]
		switch {
		case !ok || !known:
			return nil, fmt.Errorf("unknown flag %q", args[i])
		case s.Kind == KindSwitch:
			v[name] = append(v[name], "true")
		case i+1 == len(args):
			return nil, fmt.Errorf("--%s needs a value", name)
		default:
			i++
			v[name] = append(v[name], args[i])
		}
	}
	return v, nil
}

// ProfileFromFlags builds and validates the Profile that the profile
// settings and --profile of v describe.
func ProfileFromFlags(v Values) (*Profile, error) {
	p := &Profile{Name: v.Last("profile")}
	if p.Name == "" {
		p.Name = DefaultProfile
	}
	for _, s := range settings() {
		if s.Scope != ScopeProfile {
			continue
		}
		values := v[s.Name]
		switch s.Kind {
		case KindValue, KindSwitch:
			if len(values) > 1 {
				values = values[len(values)-1:]
			}
		case KindList:
			var err error
			if values, err = splitList("--"+s.Name, values); err != nil {
				return nil, err
			}
		}
		for _, val := range values {
			if err := s.apply(p, val); err != nil {
				if s.Kind == KindValue || s.Kind == KindSwitch {
					err = fmt.Errorf("--%s %q: %w", s.Name, val, err)
				}
				return nil, err
			}
		}
	}
	if len(p.Logs) == 0 {
		return nil, fmt.Errorf("no logs to serve: give --log NAME=PATH")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// Args returns the weblog-server flags that rebuild p with
// ProfileFromFlags (without the name): each profile setting that differs
// from its default, in the order of Settings.
func (p *Profile) Args() []string {
	var args []string
	for _, s := range settings() {
		if s.Scope != ScopeProfile {
			continue
		}
		for _, v := range s.values(p) {
			if s.Kind == KindSwitch {
				args = append(args, "--"+s.Name)
			} else {
				args = append(args, "--"+s.Name, v)
			}
		}
	}
	return args
}

// splitList splits comma-separated flag values into their items; no
// values give nil, an empty item is an error.
func splitList(flag string, values []string) ([]string, error) {
	var items []string
	for _, v := range values {
		for _, it := range strings.Split(v, ",") {
			if it = strings.TrimSpace(it); it == "" {
				return nil, fmt.Errorf("%s %q: empty item", flag, v)
			}
			items = append(items, it)
		}
	}
	return items, nil
}
