package accesslog

import (
	"bytes"
)

// maxJSONDepth bounds the nesting of values skipped in a JSON line.
const maxJSONDepth = 64

// jsonCtx says which object of a JSON line is being read.
type jsonCtx uint8

const (
	ctxTop     jsonCtx = iota
	ctxRequest         // Caddy's "request" object
	ctxHeaders         // its "headers" object
)

// jsonState tracks which fields a JSON line has set, so that the first
// key wins (Caddy's client_ip beats remote_ip).
type jsonState struct {
	status, bytes, clientIP bool
}

func (p *Parser) parseJSON(line []byte, rec *Record) error {
	*rec = Record{Bytes: -1, Duration: -1, Escaping: EscapeJSON}
	i := skipWS(line, 0)
	if i == len(line) || line[i] != '{' {
		return &ParseError{Offset: i, Msg: "not a JSON object"}
	}
	var st jsonState
	i, err := p.jsonObject(line, i, rec, &st, ctxTop)
	if err != nil {
		return err
	}
	if i = skipWS(line, i); i != len(line) {
		return &ParseError{Offset: i, Msg: "text after the JSON object"}
	}
	if !st.status && p.format.hasStatus() {
		return &ParseError{Offset: 0, Field: "status", Msg: "no status in the object"}
	}
	if rec.Request != nil && rec.Method == nil && rec.Path == nil {
		rec.Method, rec.Path, rec.Protocol = splitRequest(rec.Request)
	}
	return nil
}

func (f *Format) hasStatus() bool {
	if f.keys == nil {
		return true
	}
	for _, k := range f.keys {
		if k.kind == fStatus {
			return true
		}
	}
	return false
}

// jsonObject reads the object starting at line[i] == '{' and returns the
// offset after it.
func (p *Parser) jsonObject(line []byte, i int, rec *Record, st *jsonState, ctx jsonCtx) (int, error) {
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return i + 1, nil
	}
	for {
		if i == len(line) || line[i] != '"' {
			return 0, &ParseError{Offset: i, Msg: "want an object key"}
		}
		ks, ke, ok := scanString(line, i)
		if !ok {
			return 0, &ParseError{Offset: i, Msg: "unterminated string"}
		}
		key := line[ks:ke]
		i = skipWS(line, ke+1)
		if i == len(line) || line[i] != ':' {
			return 0, &ParseError{Offset: i, Msg: "want ':'"}
		}
		i = skipWS(line, i+1)
		if i == len(line) {
			return 0, &ParseError{Offset: i, Msg: "want a value"}
		}
		kind, prio := p.jsonKind(ctx, key)
		var err error
		switch {
		case kind == fJSONRequest && line[i] == '{':
			i, err = p.jsonObject(line, i, rec, st, ctxRequest)
		case ctx == ctxRequest && line[i] == '{' && string(key) == "headers":
			i, err = p.jsonObject(line, i, rec, st, ctxHeaders)
		default:
			start := i
			i, err = skipValue(line, i)
			if err == nil && kind != fSkip {
				v := line[start:i]
				if ctx == ctxHeaders && len(v) > 0 && v[0] == '[' {
					v = firstString(v)
				}
				if msg := p.setJSON(rec, st, kind, prio, v); msg != "" {
					return 0, &ParseError{Offset: start, Field: kind.String(), Msg: msg}
				}
			}
		}
		if err != nil {
			return 0, err
		}
		i = skipWS(line, i)
		if i == len(line) {
			return 0, &ParseError{Offset: i, Msg: "unterminated object"}
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, &ParseError{Offset: i, Msg: "want ',' or '}'"}
		}
	}
}

// jsonKind says what the value of key holds in context ctx. prio is true
// for keys that override others of the same kind.
func (p *Parser) jsonKind(ctx jsonCtx, key []byte) (kind fieldKind, prio bool) {
	if p.format.keys != nil {
		if ctx != ctxTop {
			return fSkip, false
		}
		for _, k := range p.format.keys {
			if k.key == string(key) {
				return k.kind, false
			}
		}
		return fSkip, false
	}
	if ctx == ctxHeaders {
		switch {
		case bytes.EqualFold(key, []byte("User-Agent")):
			return fUserAgent, false
		case bytes.EqualFold(key, []byte("Referer")):
			return fReferrer, false
		case bytes.EqualFold(key, []byte("X-Forwarded-For")):
			return fForwarded, false
		}
		return fSkip, false
	}
	if string(key) == "client_ip" {
		return fRemoteAddr, true // Caddy's client_ip (after trusted proxies) wins over remote_ip
	}
	switch JSONFieldOf(string(key)) {
	case JSONClient:
		return fRemoteAddr, false
	case JSONUser:
		return fUser, false
	case JSONIdent:
		return fIdent, false
	case JSONTime:
		return fTimeISO, false // any time layout; see timeCache.any
	case JSONRequest:
		if ctx == ctxTop {
			return fJSONRequest, false
		}
	case JSONMethod:
		return fMethod, false
	case JSONPath:
		return fPath, false
	case JSONProtocol:
		return fProtocol, false
	case JSONStatus:
		return fStatus, false
	case JSONBytes:
		return fBytes, false
	case JSONReferrer:
		return fReferrer, false
	case JSONUserAgent:
		return fUserAgent, false
	case JSONForwarded:
		return fForwarded, false
	case JSONVHost:
		return fVHost, false
	case JSONPort:
		return fPort, false
	case JSONDuration:
		return fDurSec, false
	}
	return fSkip, false
}

// setJSON stores the raw JSON value v in rec. It returns a description of
// what is wrong, or "".
func (p *Parser) setJSON(rec *Record, st *jsonState, k fieldKind, prio bool, v []byte) string {
	s, isStr := jsonScalar(v)
	if k == fStatus {
		if st.status {
			return ""
		}
		if len(s) == 0 && (isStr || string(v) == "null") {
			st.status = true
			return ""
		}
		n, ok := parseStatus(s)
		if !ok {
			return "not a status code"
		}
		rec.Status, st.status = n, true
		return ""
	}
	if len(s) == 0 || isDash(s) {
		return "" // "", "-" and null: not logged
	}
	switch k {
	case fRemoteAddr:
		if prio || !st.clientIP {
			rec.RemoteAddr = s
			st.clientIP = st.clientIP || prio
		}
	case fBytes:
		if st.bytes {
			return ""
		}
		n, ok := parseUint(s)
		if !ok {
			return "not a byte count"
		}
		rec.Bytes, st.bytes = n, true
	case fTimeCLF, fTimeISO, fTimeSec, fTimeMilli, fTimeMicro:
		if !rec.Time.IsZero() {
			return ""
		}
		if k == fTimeISO || k == fTimeCLF {
			k = fSkip // any layout
		}
		t, ok := p.times.parse(k, s)
		if !ok {
			return "bad time"
		}
		rec.Time = t
	case fDurSec, fDurMilli, fDurMicro:
		if rec.Duration >= 0 {
			return ""
		}
		d, ok := parseDuration(k, s)
		if !ok {
			return "not a duration"
		}
		rec.Duration = d
	default:
		if p := recField(rec, k); p != nil && *p == nil {
			*p = s
		}
	}
	return ""
}

// recField returns the byte-slice field of rec that holds kind k.
func recField(rec *Record, k fieldKind) *[]byte {
	switch k {
	case fVHost:
		return &rec.VHost
	case fPort:
		return &rec.Port
	case fIdent:
		return &rec.Ident
	case fUser:
		return &rec.User
	case fRequest, fJSONRequest:
		return &rec.Request
	case fMethod:
		return &rec.Method
	case fPath:
		return &rec.Path
	case fProtocol:
		return &rec.Protocol
	case fReferrer:
		return &rec.Referrer
	case fUserAgent:
		return &rec.UserAgent
	case fForwarded:
		return &rec.ForwardedFor
	}
	return nil
}

// jsonScalar returns the contents of a JSON string (still escaped), or the
// text of a number, true or false. null, objects and arrays give nil.
func jsonScalar(v []byte) (s []byte, isStr bool) {
	if len(v) >= 2 && v[0] == '"' {
		return v[1 : len(v)-1], true
	}
	if len(v) == 0 || v[0] == '{' || v[0] == '[' || string(v) == "null" {
		return nil, false
	}
	return v, false
}

// firstString returns the first element of a JSON array if it is a
// string, as Caddy logs header values; otherwise nil.
func firstString(v []byte) []byte {
	i := skipWS(v, 1)
	if i < len(v) && v[i] == '"' {
		if s, e, ok := scanString(v, i); ok {
			return v[s-1 : e+1]
		}
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// scanString scans the string starting at b[i] == '"' and returns the
// offsets of its contents, b[start:end], and whether it is terminated.
// b[end] is the closing quote.
func scanString(b []byte, i int) (start, end int, ok bool) {
	start = i + 1
	for j := start; j < len(b); {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, 0, false
		}
		q := j + k
		if !escaped(b, start, q) {
			return start, q, true
		}
		j = q + 1
	}
	return 0, 0, false
}

// skipValue skips the JSON value starting at b[i] and returns the offset
// after it. It checks the value's structure, not every detail (escapes
// inside strings, number syntax), and refuses nesting deeper than
// maxJSONDepth without recursing.
func skipValue(b []byte, i int) (int, error) {
	var stack [maxJSONDepth]byte
	depth := 0
	for {
		i = skipWS(b, i)
		if i == len(b) {
			return 0, &ParseError{Offset: i, Msg: "unterminated JSON value"}
		}
		switch c := b[i]; {
		case c == '{' || c == '[':
			if depth == maxJSONDepth {
				return 0, &ParseError{Offset: i, Msg: "JSON nested too deeply"}
			}
			stack[depth] = c + 2 // '{'+2 == '}', '['+2 == ']'
			depth++
			i = skipWS(b, i+1)
			if i < len(b) && b[i] == stack[depth-1] {
				depth--
				i++
				break
			}
			if c == '{' {
				var ok bool
				if i, ok = skipKey(b, i); !ok {
					return 0, &ParseError{Offset: i, Msg: "bad object key"}
				}
			}
			continue
		case c == '"':
			_, e, ok := scanString(b, i)
			if !ok {
				return 0, &ParseError{Offset: i, Msg: "unterminated string"}
			}
			i = e + 1
		case c == '-' || isDigit(c):
			j := i + 1
			for j < len(b) && (isDigit(b[j]) || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
				j++
			}
			i = j
		case hasPrefixAt(b, i, "true"):
			i += 4
		case hasPrefixAt(b, i, "false"):
			i += 5
		case hasPrefixAt(b, i, "null"):
			i += 4
		default:
			return 0, &ParseError{Offset: i, Msg: "bad JSON value"}
		}
		// After a complete value: close containers or move to the next
		// element.
		for depth > 0 {
			i = skipWS(b, i)
			if i == len(b) {
				return 0, &ParseError{Offset: i, Msg: "unterminated JSON value"}
			}
			if b[i] == stack[depth-1] {
				depth--
				i++
				continue
			}
			if b[i] != ',' {
				return 0, &ParseError{Offset: i, Msg: "want ',' in JSON value"}
			}
			i = skipWS(b, i+1)
			if stack[depth-1] == '}' {
				var ok bool
				if i, ok = skipKey(b, i); !ok {
					return 0, &ParseError{Offset: i, Msg: "bad object key"}
				}
			}
			break
		}
		if depth == 0 {
			return i, nil
		}
	}
}

// skipKey skips `"key" :` at b[i] and returns the offset after the colon.
func skipKey(b []byte, i int) (int, bool) {
	i = skipWS(b, i)
	if i == len(b) || b[i] != '"' {
		return i, false
	}
	_, e, ok := scanString(b, i)
	if !ok {
		return i, false
	}
	i = skipWS(b, e+1)
	if i == len(b) || b[i] != ':' {
		return i, false
	}
	return i + 1, true
}
