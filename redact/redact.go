package redact

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/weblogctl/weblogctl/accesslog"
)

// Redaction keys, as policies name them.
const (
	IP    = "ip"    // client addresses to /24 (IPv4) and /48 (IPv6)
	Query = "query" // query strings dropped
	UA    = "ua"    // user agents replaced by "-"
	User  = "user"  // authenticated and identd users replaced by "-"
)

// Keys returns the known redaction keys, in a fixed order.
func Keys() []string { return []string{IP, Query, UA, User} }

// Redactor redacts log lines; see the package documentation for what each
// key does. A Redactor keeps scratch buffers and remembers the format of
// the last line it parsed, so it is not safe for concurrent use: make one
// per session. The zero Redactor (and a nil one) copies lines unchanged.
type Redactor struct {
	ip, query, ua, user bool

	custom  *accesslog.Parser   // the log's own format (UseFormat), tried first; or nil
	parsers []*accesslog.Parser // text formats, see textFormats
	last    int                 // index in parsers of the last format that fit, or -1
	rec     accesslog.Record
	edits   []edit
}

// New returns a Redactor applying keys (see IP, Query, UA, User). Unknown
// and repeated keys are an error; no keys make a Redactor that copies
// lines unchanged.
func New(keys []string) (*Redactor, error) {
	r := &Redactor{last: -1}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			return nil, fmt.Errorf("redaction key %s given twice", strconv.Quote(k))
		}
		seen[k] = true
		switch k {
		case IP:
			r.ip = true
		case Query:
			r.query = true
		case UA:
			r.ua = true
		case User:
			r.user = true
		default:
			return nil, fmt.Errorf("unknown redaction key %s (known: %s)", strconv.QuoteToASCII(k), strings.Join(Keys(), ", "))
		}
	}
	if r.ua || r.user || r.ip {
		for _, f := range textFormats() {
			r.parsers = append(r.parsers, accesslog.NewParser(f))
		}
	}
	return r, nil
}

// UseFormat tells r the format of the lines it will redact (as
// weblog-server --log-format gives it), so that "ua" and "user" find
// their fields in a custom text format too. r still tries the built-in
// formats for lines that do not match f. The zero Format forgets it.
func (r *Redactor) UseFormat(f accesslog.Format) {
	r.custom = nil
	if !f.IsZero() && f.Escaping() != accesslog.EscapeJSON {
		r.custom = accesslog.NewParser(f)
	}
}

// Active reports whether r changes anything at all.
func (r *Redactor) Active() bool {
	return r != nil && (r.ip || r.query || r.ua || r.user)
}

// Line appends the redacted form of line to dst and returns the extended
// buffer. line is one log line, with or without its line ending, which is
// kept as it is. line and dst must not overlap. Line does not allocate
// once dst has room and r has seen a few lines, except for a line that
// looks like a text log line (it holds `] "`) yet matches no format.
func (r *Redactor) Line(dst, line []byte) []byte {
	if !r.Active() {
		return append(dst, line...)
	}
	body, eol := splitEOL(line)
	edits := r.edits[:0]
	if r.ua || r.user || r.ip {
		if isJSON(body) {
			edits, _ = r.jsonEdits(edits, body)
		} else {
			edits, _ = r.textEdits(edits, body)
		}
		edits = sortEdits(edits)
	}
	pos, open := 0, false
	for _, e := range edits {
		dst, open = scrub(dst, body[pos:e.start], r.ip, r.query, open)
		dst = append(dst, e.repl...)
		pos = e.end
	}
	dst, _ = scrub(dst, body[pos:], r.ip, r.query, open)
	r.edits = edits[:0]
	return append(dst, eol...)
}

// splitEOL splits off the line ending, "\n" or "\r\n".
func splitEOL(line []byte) (body, eol []byte) {
	n := len(line)
	switch {
	case n >= 2 && line[n-2] == '\r' && line[n-1] == '\n':
		return line[:n-2], line[n-2:]
	case n >= 1 && line[n-1] == '\n':
		return line[:n-1], line[n-1:]
	}
	return line, nil
}

// isJSON reports whether line looks like a JSON object.
func isJSON(line []byte) bool {
	for _, c := range line {
		switch c {
		case ' ', '\t':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}
