package accesslog

import (
	"bytes"
	"time"
)

// Record is one parsed log line.
//
// Its byte-slice fields are sub-slices of the parsed line, still escaped as
// the log wrote them (see [Escaping]). A field the format does not log, or
// that was logged as "-", is nil; a text-log field logged as "" is empty
// but not nil.
type Record struct {
	VHost        []byte        // virtual host (%v, $host); nil if not logged
	Port         []byte        // server port (%p, $server_port)
	RemoteAddr   []byte        // client address (%h, %a, $remote_addr), IPv4 or IPv6 as logged
	Ident        []byte        // identd user (%l)
	User         []byte        // authenticated user (%u, $remote_user)
	Time         time.Time     // request time, in the log's own UTC offset; zero if not logged
	Request      []byte        // request line as logged (%r, $request)
	Method       []byte        // request method; nil if the request line is not METHOD SP TARGET [SP PROTOCOL]
	Path         []byte        // request target as logged, query string included
	Protocol     []byte        // "HTTP/1.1" and the like; nil for HTTP/0.9 requests
	Status       int           // final status (%>s, $status); 0 if not logged
	Bytes        int64         // response size (%b, %O, $body_bytes_sent); -1 if "-" or not logged
	Referrer     []byte        // Referer header
	UserAgent    []byte        // User-Agent header
	ForwardedFor []byte        // X-Forwarded-For header
	Duration     time.Duration // time taken (%D, %T, $request_time); -1 if not logged
	Rest         []byte        // fields after the last one the format names; nil if none
	Escaping     Escaping      // how the fields are escaped

	// Partial is true when the line ends inside a field, as a line cut
	// short by a size limit or a crash does: the fields before the cut
	// are set, the cut field and those after it are not (nil, 0, -1), and
	// a filter on one of them does not match, negated or not. Only text
	// formats have partial records.
	Partial bool
	lost    fieldSet // with Partial: the fields the line lost
}

// fieldSet is a set of the Record fields a Filter looks at.
type fieldSet uint8

const (
	lostAddr fieldSet = 1 << iota
	lostTime
	lostMethod
	lostPath
	lostStatus
	lostReferrer
	lostUA
)

// lostBy returns the filtered fields that a field of kind k sets.
func lostBy(k fieldKind) fieldSet {
	switch k {
	case fRemoteAddr:
		return lostAddr
	case fTimeCLF, fTimeISO, fTimeSec, fTimeMilli, fTimeMicro:
		return lostTime
	case fRequest:
		return lostMethod | lostPath
	case fMethod:
		return lostMethod
	case fPath:
		return lostPath
	case fStatus:
		return lostStatus
	case fReferrer:
		return lostReferrer
	case fUserAgent:
		return lostUA
	}
	return 0
}

// HasReferrer reports whether the record has a real referrer: logged, and
// neither "-" nor empty.
func (r *Record) HasReferrer() bool { return len(r.Referrer) > 0 }

// PathOnly returns r.Path up to, not including, its query string.
func (r *Record) PathOnly() []byte {
	if i := bytes.IndexByte(r.Path, '?'); i >= 0 {
		return r.Path[:i]
	}
	return r.Path
}

// Escaping says how a log escapes bytes inside its fields.
type Escaping uint8

const (
	// EscapeCLF is the escaping of Apache and nginx text logs: \" \\ and
	// \xHH, plus Apache's \b \n \r \t \v. A backslash before anything else
	// stands for itself.
	EscapeCLF Escaping = iota
	// EscapeJSON is the escaping of JSON strings (nginx escape=json and
	// JSON-lines logs): \" \\ \/ \b \f \n \r \t and \uXXXX.
	EscapeJSON
	// EscapeNone means the log does not escape anything (nginx
	// escape=none).
	EscapeNone
)

// String returns the escaping's name as nginx spells it: "default",
// "json" or "none".
func (e Escaping) String() string {
	switch e {
	case EscapeJSON:
		return "json"
	case EscapeNone:
		return "none"
	}
	return "default"
}

// AppendDecoded appends field to dst with e's escapes decoded, and
// returns the extended buffer. It does not allocate when dst has room.
// The result may hold any bytes, including invalid UTF-8 and control
// characters.
func (e Escaping) AppendDecoded(dst, field []byte) []byte {
	if e == EscapeNone || bytes.IndexByte(field, '\\') < 0 {
		return append(dst, field...)
	}
	if e == EscapeJSON {
		return appendJSONUnescaped(dst, field)
	}
	for i := 0; i < len(field); i++ {
		c := field[i]
		if c != '\\' || i+1 == len(field) {
			dst = append(dst, c)
			continue
		}
		switch n := field[i+1]; n {
		case '"', '\\':
			dst = append(dst, n)
			i++
		case 'b':
			dst = append(dst, '\b')
			i++
		case 'n':
			dst = append(dst, '\n')
			i++
		case 'r':
			dst = append(dst, '\r')
			i++
		case 't':
			dst = append(dst, '\t')
			i++
		case 'v':
			dst = append(dst, '\v')
			i++
		case 'x', 'X':
			if i+3 < len(field) && isHex(field[i+2]) && isHex(field[i+3]) {
				dst = append(dst, unhex(field[i+2])<<4|unhex(field[i+3]))
				i += 3
				continue
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendJSONUnescaped decodes the contents of a JSON string. Malformed
// escapes are kept as written; lone surrogates become U+FFFD.
func appendJSONUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			dst = append(dst, c)
			continue
		}
		switch n := s[i+1]; n {
		case '"', '\\', '/':
			dst = append(dst, n)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s[i+2:])
			if !ok {
				dst = append(dst, c)
				continue
			}
			i += 4
			if r >= 0xd800 && r < 0xdc00 {
				if len(s) >= i+8 && s[i+2] == '\\' && s[i+3] == 'u' {
					if r2, ok := hex4(s[i+4:]); ok && r2 >= 0xdc00 && r2 < 0xe000 {
						r = 0x10000 + (r-0xd800)<<10 + (r2 - 0xdc00)
						i += 6
					}
				}
			}
			if r >= 0xd800 && r < 0xe000 {
				r = 0xfffd
			}
			dst = appendRune(dst, r)
		default:
			dst = append(dst, c)
			continue
		}
		i++
	}
	return dst
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		if !isHex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	return r, true
}

// appendRune is utf8.AppendRune for the runes hex4 can produce.
func appendRune(dst []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(dst, byte(r))
	case r < 0x800:
		return append(dst, 0xc0|byte(r>>6), 0x80|byte(r)&0x3f)
	case r < 0x10000:
		return append(dst, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
	default:
		return append(dst, 0xf0|byte(r>>18), 0x80|byte(r>>12)&0x3f, 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
