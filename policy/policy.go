package policy

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/weblogctl/weblogctl/wire"
)

// ErrUnavailable is returned for a log that is not in the policy AND for
// one that cannot be opened: the client must not tell the two apart.
var ErrUnavailable = errors.New("no such log, or not allowed")

// Log is one named log: the live file at Path and its rotated siblings.
type Log struct {
	Name string
	Path string // absolute and clean
}

// Policy is what one server process may serve. The zero value serves
// nothing.
type Policy struct {
	Logs []Log // in the order given; the first is the default log
}

// ParseLog parses a NAME=PATH flag value. PATH must be absolute; it is
// cleaned, and NAME must be a valid protocol log name.
func ParseLog(s string) (Log, error) {
	name, path, ok := strings.Cut(s, "=")
	if !ok {
		return Log{}, fmt.Errorf("log %q: want NAME=PATH", s)
	}
	if err := wire.CheckLogName(name); err != nil {
		return Log{}, fmt.Errorf("log %q: %w", s, err)
	}
	if !filepath.IsAbs(path) || strings.ContainsRune(path, 0) {
		return Log{}, fmt.Errorf("log %q: PATH must be an absolute path", s)
	}
	path = filepath.Clean(path)
	if path == "/" {
		return Log{}, fmt.Errorf("log %q: PATH must name a file", s)
	}
	return Log{Name: name, Path: path}, nil
}

// New returns a policy serving logs, refusing duplicate names.
func New(logs []Log) (*Policy, error) {
	seen := map[string]bool{}
	for _, l := range logs {
		if seen[l.Name] {
			return nil, fmt.Errorf("log name %q given twice", l.Name)
		}
		seen[l.Name] = true
	}
	return &Policy{Logs: logs}, nil
}

// Lookup returns the log called name, or ErrUnavailable.
func (p *Policy) Lookup(name string) (Log, error) {
	if p != nil {
		for _, l := range p.Logs {
			if l.Name == name {
				return l, nil
			}
		}
	}
	return Log{}, ErrUnavailable
}
