package fleet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxHostsFileSize bounds a hosts file, in bytes.
const MaxHostsFileSize = 4 << 20

// LineError is a problem on one line of a hosts file.
type LineError struct {
	Line int // 1-based
	Err  error
}

// Error returns "line N: " and the problem.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the problem without its line number.
func (e *LineError) Unwrap() error { return e.Err }

// ParseHostsFile reads a hosts file: one host spec per line (a host, a
// pattern as in Expand, or @GROUP), with everything from "#" to the end of
// a line a comment, and blank lines ignored. Spaces around a spec are
// trimmed; a line holding two specs is refused. It checks each spec's
// syntax (errors are *LineError) but expands nothing: pass the specs to
// Resolve. Input beyond MaxHostsFileSize is refused.
func ParseHostsFile(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(io.LimitReader(r, MaxHostsFileSize+1))
	sc.Buffer(make([]byte, 0, 4096), MaxPatternLen+1024)
	var specs []string
	size := 0
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if size += len(line) + 1; size > MaxHostsFileSize {
			return nil, fmt.Errorf("hosts file larger than %d bytes", MaxHostsFileSize)
		}
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if bytes.ContainsAny(line, " \t") {
			return nil, &LineError{Line: n, Err: errors.New("one host per line")}
		}
		spec := string(line)
		if err := checkMember(spec); err != nil {
			return nil, &LineError{Line: n, Err: err}
		}
		specs = append(specs, spec)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("hosts file: a line is longer than %d bytes", MaxPatternLen+1024)
		}
		return nil, fmt.Errorf("hosts file: %w", err)
	}
	return specs, nil
}
