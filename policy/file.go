package policy

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// MaxFileSize is the largest policy file LoadFile reads.
const MaxFileSize = 1 << 20

// File is a policy file: named profiles, one per key or team, and
// settings for the server as a whole. weblog-server reads it with
// --policy FILE and serves the profile --profile NAME.
//
// The file is TOML:
//
//	audit_log = "/var/log/weblog-server/audit.log"   # optional
//	audit_syslog = true                               # optional
//	sessions_dir = "/run/weblog-server"               # optional, see AcquireSlot
//
//	[profiles.alice]
//	logs = { access = "/var/log/nginx/access.log", error = "/var/log/nginx/error.log" }
//	verbs = ["follow", "filter"]        # default: every read verb
//	redact = ["ip", "query"]            # ip, query, ua, user
//	max_bytes = 1_000_000_000           # per request; 0 or absent: no limit
//	max_follow = "1h"                   # Go duration
//	max_sessions = 4                    # at once, on this host
//	idle_timeout = "10m"
//	trust_symlinks = false
//
// Unknown keys are an error: a misspelt limit must not silently become no
// limit.
type File struct {
	// Path is where the file was read from.
	Path string
	// AuditLog is the absolute path of the audit log, or "".
	AuditLog string
	// AuditSyslog asks for audit records in syslog too.
	AuditSyslog bool
	// SessionsDir is where session slots live (see AcquireSlot), or ""
	// for DefaultSlotDir.
	SessionsDir string

	profiles map[string]*Profile
	names    []string // in the order of the file
}

// fileData is the TOML document; see File.
type fileData struct {
	AuditLog    string                 `toml:"audit_log"`
	AuditSyslog bool                   `toml:"audit_syslog"`
	SessionsDir string                 `toml:"sessions_dir"`
	Profiles    map[string]profileData `toml:"profiles"`
}

// profileData is one [profiles.NAME] table.
type profileData struct {
	Logs          map[string]string `toml:"logs"`
	Verbs         []string          `toml:"verbs"`
	Redact        []string          `toml:"redact"`
	MaxBytes      int64             `toml:"max_bytes"`
	MaxFollow     duration          `toml:"max_follow"`
	MaxSessions   int               `toml:"max_sessions"`
	IdleTimeout   duration          `toml:"idle_timeout"`
	TrustSymlinks bool              `toml:"trust_symlinks"`
	LogFormats    map[string]string `toml:"log_formats"`
}

// duration is a TOML string holding a Go duration ("1h30m"). A bare
// number is refused: its unit would be a guess.
type duration time.Duration

// UnmarshalText parses a Go duration.
func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration like \"90s\", \"10m\" or \"1h\": %s", strconv.QuoteToASCII(string(b)))
	}
	*d = duration(v)
	return nil
}

// LoadFile reads and validates the policy file at path. It refuses a file
// that anyone but root and the running user could have written (see
// openTrusted): such a file could grant anything.
func LoadFile(path string) (*File, error) {
	f, err := openTrusted("policy file", path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("policy file %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("policy file %s: larger than %d bytes", path, MaxFileSize)
	}
	return parseFile(path, data)
}

// parseFile parses and validates a policy file's contents.
func parseFile(path string, data []byte) (*File, error) {
	bad := func(line int, format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if line > 0 {
			return fmt.Errorf("policy file %s: line %d: %s", path, line, msg)
		}
		return fmt.Errorf("policy file %s: %s", path, msg)
	}
	var fd fileData
	md, err := toml.NewDecoder(strings.NewReader(string(data))).Decode(&fd)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			if pe.LastKey != "" {
				return nil, bad(pe.Position.Line, "%s: %s", pe.LastKey, pe.Message)
			}
			return nil, bad(pe.Position.Line, "%s", pe.Message)
		}
		// Type errors: "toml: line N (last key "K"): MESSAGE".
		typeError := regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)
		if m := typeError.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, bad(line, "%s: %s", m[2], m[3])
		}
		return nil, bad(0, "%s", strings.TrimPrefix(err.Error(), "toml: "))
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, bad(keyLine(data, und[0]), "unknown key %s", und[0])
	}
	f := &File{Path: path, AuditLog: fd.AuditLog, AuditSyslog: fd.AuditSyslog, SessionsDir: fd.SessionsDir, profiles: map[string]*Profile{}}
	for _, k := range []struct{ name, v string }{{"audit_log", f.AuditLog}, {"sessions_dir", f.SessionsDir}} {
		if k.v != "" && (!filepath.IsAbs(k.v) || strings.ContainsRune(k.v, 0)) {
			return nil, bad(keyLine(data, toml.Key{k.name}), "%s: %s is not an absolute path", k.name, strconv.QuoteToASCII(k.v))
		}
	}
	// The order of the profiles and of their logs is the file's.
	for _, key := range md.Keys() {
		switch {
		case len(key) == 2 && key[0] == "profiles":
			f.names = append(f.names, key[1])
		case len(key) == 4 && key[0] == "profiles" && key[2] == "logs":
			name, logName := key[1], key[3]
			p := f.profiles[name]
			if p == nil {
				p = &Profile{Name: name}
				f.profiles[name] = p
			}
			p.Logs = append(p.Logs, Log{Name: logName, Path: fd.Profiles[name].Logs[logName]})
		}
	}
	for _, name := range f.names {
		d := fd.Profiles[name]
		p := f.profiles[name]
		if p == nil {
			p = &Profile{Name: name}
			f.profiles[name] = p
		}
		p.Verbs = d.Verbs
		p.Redact = d.Redact
		p.MaxBytes = d.MaxBytes
		p.MaxFollow = time.Duration(d.MaxFollow)
		p.MaxSessions = d.MaxSessions
		p.IdleTimeout = time.Duration(d.IdleTimeout)
		p.TrustSymlinks = d.TrustSymlinks
		p.LogFormats = d.LogFormats
		for i, l := range p.Logs {
			if filepath.IsAbs(l.Path) {
				p.Logs[i].Path = filepath.Clean(l.Path)
			}
		}
		if err := p.Validate(); err != nil {
			return nil, bad(keyLine(data, toml.Key{"profiles", name}), "%v", err)
		}
	}
	return f, nil
}

// Profile returns a copy of the profile called name.
func (f *File) Profile(name string) (*Profile, error) {
	p, ok := f.profiles[name]
	if !ok {
		return nil, fmt.Errorf("policy file %s: no profile %s (it has: %s)", f.Path, strconv.QuoteToASCII(name), strings.Join(f.names, ", "))
	}
	c := p.Clone()
	return &c, nil
}

// Names returns the names of the file's profiles, in the file's order.
func (f *File) Names() []string { return slices.Clone(f.names) }
