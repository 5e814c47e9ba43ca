package accesslog

import (
	"errors"
	"fmt"
)

// ErrNoFormat is returned by [Parser.Parse] when the Parser was made with
// the zero [Format], as [Detect] returns when no known format fits.
var ErrNoFormat = errors.New("accesslog: unknown log format")

// ParseError reports a line that does not match its format.
type ParseError struct {
	Offset int    // byte offset in the line where parsing stopped
	Field  string // field being parsed, such as "status"; empty if none
	Msg    string // what was wrong
}

// Error returns "accesslog: byte N: FIELD: MSG".
func (e *ParseError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("accesslog: byte %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("accesslog: byte %d: %s: %s", e.Offset, e.Field, e.Msg)
}

// FormatError reports a log format string that [ParseFormat] cannot use.
type FormatError struct {
	Format string // the format text being parsed
	Offset int    // byte offset in Format where the problem is
	Msg    string // what was wrong
}

// Error returns the message with the offset and the text found there.
func (e *FormatError) Error() string {
	near := e.Format
	if e.Offset >= 0 && e.Offset <= len(near) {
		near = near[e.Offset:]
	}
	if len(near) > 20 {
		near = near[:20] + "..."
	}
	return fmt.Sprintf("accesslog: log format: byte %d (at %q): %s", e.Offset, near, e.Msg)
}

// FilterError reports a filter option that is unknown, malformed or out of
// bounds.
type FilterError struct {
	Option string // option name without dashes, such as "status"; empty if unknown
	Value  string // the value given, if any
	Err    error  // what was wrong
}

// Error returns the message with the option and value it is about.
func (e *FilterError) Error() string {
	switch {
	case e.Option == "":
		return fmt.Sprintf("accesslog: filter: %v", e.Err)
	case e.Value == "":
		return fmt.Sprintf("accesslog: filter --%s: %v", e.Option, e.Err)
	default:
		v := e.Value
		if len(v) > 64 {
			v = v[:64] + "..."
		}
		return fmt.Sprintf("accesslog: filter --%s=%q: %v", e.Option, v, e.Err)
	}
}

// Unwrap returns the underlying error.
func (e *FilterError) Unwrap() error { return e.Err }
