package policy

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

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
//	log_formats = { access = "combined" }
//
// The keys are the Key of each of Settings, the values those of the
// flags, typed: a table for NAME=VALUE settings, an array for lists.
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

// fileData is the TOML document; see File. Its keys are those of
// Settings: server-scope ones at the top, profile ones in each profile.
type fileData map[string]toml.Primitive

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
		return nil, decodeError(err, bad)
	}
	f := &File{Path: path, profiles: map[string]*Profile{}}
	var profiles map[string]map[string]toml.Primitive
	if prim, ok := fd["profiles"]; ok {
		if err := md.PrimitiveDecode(prim, &profiles); err != nil {
			return nil, decodeError(err, bad)
		}
	}
	for _, k := range md.Keys() {
		if len(k) == 2 && k[0] == "profiles" {
			f.names = append(f.names, k[1]) // in the order of the file
		}
	}
	// Unknown keys are an error: a misspelt limit must not silently
	// become no limit. (The decoder counts a key kept as a Primitive as
	// decoded, so the keys are checked against the table here.)
	known := map[string]Scope{}
	for _, s := range settings() {
		if s.Key != "" && s.Scope != ScopeSource {
			known[s.Key] = s.Scope
		}
	}
	for _, k := range md.Keys() {
		switch {
		case len(k) == 1 && k[0] != "profiles":
			if sc, ok := known[k[0]]; !ok || sc != ScopeServer {
				return nil, bad(keyLine(data, k), "unknown key %s", k)
			}
		case len(k) == 3 && k[0] == "profiles":
			if sc, ok := known[k[2]]; !ok || sc != ScopeProfile {
				return nil, bad(keyLine(data, k), "unknown key %s", k)
			}
		}
	}
	for _, s := range settings() {
		prim, ok := fd[s.Key]
		if s.Scope != ScopeServer || s.Key == "" || !ok {
			continue
		}
		values, err := fileValues(md, prim, s, toml.Key{s.Key})
		if err != nil {
			return nil, decodeError(err, bad)
		}
		for _, v := range values {
			if err := s.server(f, v); err != nil {
				return nil, bad(keyLine(data, toml.Key{s.Key}), "%s: %v", s.Key, err)
			}
		}
	}
	for _, name := range f.names {
		p := &Profile{Name: name}
		f.profiles[name] = p
		for _, s := range settings() {
			prim, ok := profiles[name][s.Key]
			if s.Scope != ScopeProfile || !ok {
				continue
			}
			key := toml.Key{"profiles", name, s.Key}
			values, err := fileValues(md, prim, s, key)
			if err != nil {
				return nil, decodeError(err, bad)
			}
			if s.Name == "verbs" && len(values) == 0 {
				p.Verbs = []string{} // present but empty (not "all"): Validate says why that is wrong
			}
			for _, v := range values {
				if err := s.apply(p, v); err != nil {
					return nil, bad(keyLine(data, key), "%s: %v", key, err)
				}
			}
		}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, bad(keyLine(data, und[0]), "unknown key %s", und[0])
	}
	for _, name := range f.names {
		if err := f.profiles[name].Validate(); err != nil {
			return nil, bad(keyLine(data, toml.Key{"profiles", name}), "%v", err)
		}
	}
	return f, nil
}

// fileValues decodes one setting's value from a policy file into the
// text values Setting.apply takes: the items of an array, NAME=VALUE for
// each entry of a table in the file's order, a number or a string as it
// is. A value of the wrong TOML type is the decoder's error.
func fileValues(md toml.MetaData, prim toml.Primitive, s setting, key toml.Key) ([]string, error) {
	switch s.toml.(type) {
	case map[string]string:
		var m map[string]string
		if err := md.PrimitiveDecode(prim, &m); err != nil {
			return nil, err
		}
		var out []string
		for _, k := range md.Keys() {
			if len(k) == len(key)+1 && slices.Equal(k[:len(key)], key) {
				out = append(out, k[len(key)]+"="+m[k[len(key)]])
			}
		}
		return out, nil
	case []string:
		var l []string
		err := md.PrimitiveDecode(prim, &l)
		return l, err
	case bool:
		var b bool
		err := md.PrimitiveDecode(prim, &b)
		return []string{strconv.FormatBool(b)}, err
	case int64:
		var n int64
		err := md.PrimitiveDecode(prim, &n)
		return []string{strconv.FormatInt(n, 10)}, err
	}
	var v string
	err := md.PrimitiveDecode(prim, &v)
	return []string{v}, err
}

// decodeError turns an error of the TOML decoder into one naming the
// line.
func decodeError(err error, bad func(int, string, ...any) error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if pe.LastKey != "" {
			return bad(pe.Position.Line, "%s: %s", pe.LastKey, pe.Message)
		}
		return bad(pe.Position.Line, "%s", pe.Message)
	}
	// Type errors: "toml: line N (last key "K"): MESSAGE".
	typeError := regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)
	if m := typeError.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return bad(line, "%s: %s", m[2], m[3])
	}
	return bad(0, "%s", strings.TrimPrefix(err.Error(), "toml: "))
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
