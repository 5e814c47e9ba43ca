package accesslog

import (
	"bytes"
)

// Parser parses lines of one Format. It keeps a little state between
// lines (the last timestamp it parsed), so reuse one Parser per log. A
// Parser is not safe for concurrent use; make one per goroutine.
type Parser struct {
	format Format
	times  timeCache
}

// NewParser returns a Parser for lines of format f.
func NewParser(f Format) *Parser {
	return &Parser{format: f}
}

// Format returns the format the Parser parses.
func (p *Parser) Format() Format { return p.format }

// Parse parses one line into rec, without allocating when the line is
// well formed. A trailing "\n" or "\r\n" is ignored. rec's byte-slice
// fields point into line.
//
// If the line does not match the format, Parse sets *rec to the zero
// Record and returns a [*ParseError] (or [ErrNoFormat]); the caller should
// keep the line as it is.
func (p *Parser) Parse(line []byte, rec *Record) error {
	line = trimEOL(line)
	var err error
	switch p.format.dialect {
	case dialectApache, dialectNginx:
		err = p.parseText(line, rec)
	case dialectJSON:
		err = p.parseJSON(line, rec)
	default:
		err = ErrNoFormat
	}
	if err != nil {
		*rec = Record{}
	}
	return err
}

func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	return line
}

func (p *Parser) parseText(line []byte, rec *Record) error {
	f := &p.format
	*rec = Record{Bytes: -1, Duration: -1, Escaping: f.escaping}
	pos := 0
	last := len(f.fields) - 1
	for i := range f.fields {
		fd := &f.fields[i]
		if !hasPrefixAt(line, pos, fd.before) {
			if len(line)-pos < len(fd.before) && fd.before[:len(line)-pos] == string(line[pos:]) && p.cutAt(rec, i) {
				return nil
			}
			return &ParseError{Offset: pos, Field: fd.kind.String(), Msg: "want " + quoteLit(fd.before)}
		}
		pos += len(fd.before)
		end := -1
		switch {
		case fd.quoted:
			end = scanQuoted(line, pos, fd.nextB, i == last, fd.numNext)
		case fd.kind == fTimeCLF && len(line)-pos >= clfLen && bytes.HasPrefix(line[pos+clfLen:], fd.nextB):
			end = pos + clfLen // the time holds a space, so do not look for one
		case len(fd.nextB) == 0: // last field, nothing after it
			end = bytes.IndexByte(line[pos:], ' ')
			if end < 0 {
				end = len(line)
			} else {
				end += pos
			}
		default:
			seg := line[pos:]
			sp := -1 // the first space, when the field cannot hold one
			if fd.kind != fUser && fd.kind != fTimeCLF {
				// Only the user name (and the CLF time) may hold a space.
				if sp = bytes.IndexByte(seg, ' '); sp >= 0 && sp+len(fd.nextB) < len(seg) {
					seg = seg[:sp+len(fd.nextB)]
				} else {
					sp = -1
				}
			}
			k := -1
			switch {
			case sp >= 0 && fd.nextB[0] == ' ':
				// No space before sp: what follows starts there or
				// nowhere, and need not be looked for again.
				if hasPrefixAt(seg, sp, fd.nextB) {
					k = sp
				}
			case len(fd.nextB) == 1:
				k = bytes.IndexByte(seg, fd.nextB[0])
			default:
				k = bytes.Index(seg, fd.nextB)
			}
			if k >= 0 {
				end = pos + k
			}
		}
		if end < 0 && fd.quoted && unclosed(line, pos) {
			// Cut right after the closing quote: the field is whole.
			if q := len(line) - 1; q >= pos && line[q] == '"' && !escaped(line, pos, q) &&
				p.set(rec, fd.kind, line[pos:q], true) == "" && p.cutAt(rec, i+1) {
				return nil
			}
			if p.cutAt(rec, i) {
				return nil
			}
		}
		if end < 0 && !fd.quoted && !bytes.Contains(line[pos:], fd.nextB) && p.cutAt(rec, i) {
			return nil
		}
		if end < 0 {
			return &ParseError{Offset: pos, Field: fd.kind.String(), Msg: "no " + quoteLit(string(fd.nextB)) + " after it"}
		}
		if msg := p.set(rec, fd.kind, line[pos:end], fd.quoted); msg != "" {
			return &ParseError{Offset: pos, Field: fd.kind.String(), Msg: msg}
		}
		pos = end
	}
	if !hasPrefixAt(line, pos, f.tail) {
		if len(line)-pos < len(f.tail) && f.tail[:len(line)-pos] == string(line[pos:]) {
			rec.Partial = true // every field is there, only the tail is cut
			return nil
		}
		return &ParseError{Offset: pos, Msg: "want " + quoteLit(f.tail)}
	}
	pos += len(f.tail)
	switch {
	case pos == len(line):
	case line[pos] == ' ':
		rec.Rest = line[pos+1:]
	default:
		return &ParseError{Offset: pos, Msg: "unexpected text after the last field"}
	}
	return nil
}

// cutAt makes rec a partial record for a line that ends inside field i
// (or right before it), if enough came before the cut for the record to
// be one: the time, when the format logs one, or else two fields. The cut
// field and those after it are lost.
func (p *Parser) cutAt(rec *Record, i int) bool {
	fields := p.format.fields
	enough := i >= 2
	for _, fd := range fields {
		if lostBy(fd.kind) == lostTime {
			enough = false
			break
		}
	}
	for _, fd := range fields[:i] {
		if lostBy(fd.kind) == lostTime {
			enough = true
		}
	}
	if !enough {
		return false
	}
	rec.Partial = true
	for _, fd := range fields[i:] {
		rec.lost |= lostBy(fd.kind)
	}
	return true
}

// unclosed reports whether the quoted field starting at pos runs to the
// end of the line: no unescaped quote after pos but, perhaps, the line's
// last byte. A quote followed by anything else means the line is
// malformed, not cut.
func unclosed(line []byte, pos int) bool {
	for j := pos; j < len(line); {
		k := bytes.IndexByte(line[j:], '"')
		if k < 0 {
			return true
		}
		q := j + k
		if q < len(line)-1 && !escaped(line, pos, q) {
			return false
		}
		j = q + 1
	}
	return true
}

// scanQuoted returns the offset of the double quote that closes the field
// starting at pos: the first one not escaped by a backslash and followed by
// the literal next (before a numeric field, also by a digit or '-'). It
// returns -1 if there is none.
//
// The last field may be followed by the end of the line or by a space and
// more fields (kept in Record.Rest). There, a quote followed by a space
// closes the field only if what follows looks like more fields; this keeps
// an unescaped quote inside a user agent (old servers, nginx escape=none)
// from cutting the field short. At most maxRestChecks such checks are
// made, so the cost stays linear in the length of the line.
func scanQuoted(line []byte, pos int, next []byte, last, numNext bool) int {
	fallback, checks := -1, 0
	for j := pos; j < len(line); {
		k := bytes.IndexByte(line[j:], '"')
		if k < 0 {
			break
		}
		q := j + k
		j = q + 1
		if escaped(line, pos, q) || !hasPrefixAt(line, q, next) {
			continue
		}
		after := q + len(next)
		switch {
		case last:
			if after == len(line) {
				return q
			}
			if line[after] != ' ' {
				continue
			}
			if fallback < 0 {
				fallback = q
			}
			if checks++; checks > maxRestChecks || plausibleRest(line[after+1:]) {
				return q
			}
		case numNext:
			if after < len(line) && (isDigit(line[after]) || line[after] == '-') {
				return q
			}
		default:
			return q
		}
	}
	return fallback
}

const maxRestChecks = 8

// plausibleRest reports whether b looks like log fields: bare tokens and
// quoted strings separated by single spaces.
func plausibleRest(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] == '"' {
			start := i + 1
			for {
				k := bytes.IndexByte(b[i+1:], '"')
				if k < 0 {
					return false
				}
				i += 1 + k
				if !escaped(b, start, i) {
					break
				}
			}
			i++
		} else {
			for i < len(b) && b[i] != ' ' {
				if b[i] == '"' {
					return false
				}
				i++
			}
		}
		if i < len(b) && b[i] != ' ' {
			return false
		}
	}
	return true
}

// escaped reports whether line[q] follows an odd number of backslashes
// (counting back no further than start).
func escaped(line []byte, start, q int) bool {
	n := 0
	for i := q - 1; i >= start && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// set stores the value v of a field of kind k in rec. It returns a
// description of what is wrong with v, or "".
func (p *Parser) set(rec *Record, k fieldKind, v []byte, quoted bool) string {
	if len(v) == 0 && !quoted {
		return "empty"
	}
	switch k {
	case fSkip:
	case fVHost:
		rec.VHost = dash(v)
	case fPort:
		if !allDigits(v) {
			return "not a port number"
		}
		rec.Port = v
	case fRemoteAddr:
		rec.RemoteAddr = dash(v)
	case fIdent:
		rec.Ident = dash(v)
	case fUser:
		rec.User = dash(v)
	case fTimeCLF, fTimeISO, fTimeSec, fTimeMilli, fTimeMicro:
		if isDash(v) {
			return ""
		}
		t, ok := p.times.parse(k, v)
		if !ok {
			return "bad time"
		}
		rec.Time = t
	case fRequest:
		rec.Request = dash(v)
		if rec.Request != nil {
			rec.Method, rec.Path, rec.Protocol = splitRequest(v)
		}
	case fMethod:
		rec.Method = dash(v)
	case fPath:
		rec.Path = dash(v)
	case fProtocol:
		rec.Protocol = dash(v)
	case fStatus:
		s, ok := parseStatus(v)
		if !ok {
			return "not a status code"
		}
		rec.Status = s
	case fBytes:
		if isDash(v) {
			return ""
		}
		n, ok := parseUint(v)
		if !ok {
			return "not a byte count"
		}
		rec.Bytes = n
	case fReferrer:
		rec.Referrer = dash(v)
	case fUserAgent:
		rec.UserAgent = dash(v)
	case fForwarded:
		rec.ForwardedFor = dash(v)
	case fDurSec, fDurMilli, fDurMicro:
		if isDash(v) {
			return ""
		}
		d, ok := parseDuration(k, v)
		if !ok {
			return "not a duration"
		}
		rec.Duration = d
	}
	return ""
}

// splitRequest splits a request line into method, target and protocol.
// A line that does not start with a method token and a space (a TLS
// handshake sent to a plain-HTTP port, say) has none of them. A line
// without a protocol is HTTP/0.9.
func splitRequest(r []byte) (method, path, proto []byte) {
	sp := bytes.IndexByte(r, ' ')
	if sp <= 0 || sp == len(r)-1 || !isToken(r[:sp]) {
		return nil, nil, nil
	}
	method, rest := r[:sp], r[sp+1:]
	if k := bytes.LastIndexByte(rest, ' '); k >= 0 && hasPrefixAt(rest, k+1, "HTTP/") {
		return method, rest[:k], rest[k+1:]
	}
	return method, rest, nil
}

// isToken reports whether b is an HTTP token (RFC 9110, section 5.6.2).
func isToken(b []byte) bool {
	for _, c := range b {
		switch {
		case isLetter(c), isDigit(c):
		case c == '!', c == '#', c == '$', c == '%', c == '&', c == '\'', c == '*', c == '+',
			c == '-', c == '.', c == '^', c == '_', c == '`', c == '|', c == '~':
		default:
			return false
		}
	}
	return len(b) > 0
}

func parseStatus(v []byte) (int, bool) {
	if isDash(v) {
		return 0, true
	}
	if len(v) != 3 { // an HTTP status has three digits; MayMatch relies on it
		return 0, false
	}
	n := 0
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseUint parses a decimal number of at most 18 digits.
func parseUint(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func dash(v []byte) []byte {
	if isDash(v) {
		return nil
	}
	return v
}

func isDash(v []byte) bool { return len(v) == 1 && v[0] == '-' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(v []byte) bool {
	for _, c := range v {
		if !isDigit(c) {
			return false
		}
	}
	return len(v) > 0
}

func hasPrefixAt[S string | []byte](line []byte, pos int, lit S) bool {
	if len(line)-pos < len(lit) {
		return false
	}
	// A format's literals are a few bytes and this runs several times a
	// line: a loop instead of memequal (with the separator not looked for
	// twice, parseText) took BenchmarkParseCombined from 143 to 131 ns.
	for i := 0; i < len(lit); i++ {
		if line[pos+i] != lit[i] {
			return false
		}
	}
	return true
}

func quoteLit(s string) string {
	if s == "" {
		return "end of line"
	}
	return "\"" + s + "\""
}
