package logfile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Cursor is where a reader of a log is: the file it was reading and the
// byte offset just after the last byte delivered from it. Normally that is
// the end of a complete line; only after an Event with Partial set can it be
// inside one. The client holds the cursor; the server stays stateless and
// resumes from it with Options.Resume.
type Cursor struct {
	ID     Identity
	Offset int64
}

// ErrCursorNotFound is returned (wrapped) by Follow when Options.Resume names
// a file that is neither at the live path nor among its rotated siblings, or
// that is now shorter than the cursor's offset: the data after the cursor can
// no longer be delivered exactly.
var ErrCursorNotFound = errors.New("logfile: cursor's file not found")

// String returns c as a compact token without spaces, for the wire:
// the identity's String, "@", and the decimal offset.
func (c Cursor) String() string {
	return c.ID.String() + "@" + strconv.FormatInt(c.Offset, 10)
}

// ParseCursor parses the form that Cursor.String returns. Only the canonical
// form is accepted, so an accepted token always equals the String of its
// result; the offset must not be negative.
func ParseCursor(s string) (Cursor, error) {
	idText, offText, ok := strings.Cut(s, "@")
	if !ok {
		return Cursor{}, fmt.Errorf("logfile: malformed cursor %q: want IDENTITY@OFFSET", s)
	}
	id, err := ParseIdentity(idText)
	if err != nil {
		return Cursor{}, err
	}
	off, err := strconv.ParseInt(offText, 10, 64)
	if err != nil || off < 0 || strconv.FormatInt(off, 10) != offText {
		return Cursor{}, fmt.Errorf("logfile: malformed cursor %q: bad offset", s)
	}
	return Cursor{ID: id, Offset: off}, nil
}
