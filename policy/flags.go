package policy

import (
	"fmt"
	"strings"
	"time"
)

// Flags are weblog-server's policy flags as given on its command line
// (that is, in the authorized_keys line), for ProfileFromFlags.
type Flags struct {
	// Name is --profile; empty means DefaultProfile.
	Name string
	// Logs are the --log NAME=PATH values.
	Logs []string
	// Verbs are the --verbs values; each may be a comma-separated list.
	// None means every read verb.
	Verbs []string
	// Redact are the --redact values; each may be a comma-separated list.
	Redact []string
	// MaxBytes is --max-bytes.
	MaxBytes int64
	// MaxFollow is --max-follow.
	MaxFollow time.Duration
	// MaxSessions is --max-sessions.
	MaxSessions int
	// IdleTimeout is --idle-timeout.
	IdleTimeout time.Duration
	// TrustSymlinks is --trust-symlinks.
	TrustSymlinks bool
	// LogFormats are the --log-format NAME=FORMAT values.
	LogFormats []string
}

// ProfileFromFlags builds and validates the Profile that f describes.
func ProfileFromFlags(f Flags) (*Profile, error) {
	p := &Profile{
		Name:          f.Name,
		MaxBytes:      f.MaxBytes,
		MaxFollow:     f.MaxFollow,
		MaxSessions:   f.MaxSessions,
		IdleTimeout:   f.IdleTimeout,
		TrustSymlinks: f.TrustSymlinks,
	}
	if p.Name == "" {
		p.Name = DefaultProfile
	}
	for _, s := range f.Logs {
		l, err := ParseLog(s)
		if err != nil {
			return nil, err
		}
		p.Logs = append(p.Logs, l)
	}
	if len(p.Logs) == 0 {
		return nil, fmt.Errorf("no logs to serve: give --log NAME=PATH")
	}
	for _, lf := range f.LogFormats {
		name, format, ok := strings.Cut(lf, "=")
		if !ok {
			return nil, fmt.Errorf("--log-format %q: want NAME=FORMAT", lf)
		}
		if p.LogFormats == nil {
			p.LogFormats = map[string]string{}
		}
		p.LogFormats[name] = format
	}
	var err error
	if p.Verbs, err = splitList("--verbs", f.Verbs); err != nil {
		return nil, err
	}
	if p.Redact, err = splitList("--redact", f.Redact); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
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
