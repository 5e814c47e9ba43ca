package redact

import "github.com/weblogctl/weblogctl/accesslog"

// maxJSONDepth bounds the nesting the JSON walker follows.
const maxJSONDepth = 32

// jsonKey says what the value of a JSON key holds, for redaction.
type jsonKey uint8

const (
	keyOther  jsonKey = iota
	keyClient         // a client address (or host name)
	keyUser           // an authenticated or identd user
	keyUA             // a user agent
	keyQuery          // a query string alone, without its '?'
)

// classifyKey says what the JSON object key k (still escaped) holds, by
// accesslog's table of JSON keys (the one the parser uses), matched
// without regard to case, as HTTP header names are.
func classifyKey(k []byte) jsonKey {
	var buf [20]byte
	if len(k) > len(buf) {
		return keyOther
	}
	for i, c := range k {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch accesslog.JSONFieldOf(string(buf[:len(k)])) {
	case accesslog.JSONClient:
		return keyClient
	case accesslog.JSONUser, accesslog.JSONIdent:
		return keyUser
	case accesslog.JSONUserAgent:
		return keyUA
	case accesslog.JSONQuery:
		return keyQuery
	}
	return keyOther
}

// jsonWalker finds, in one JSON line, the string values to replace.
type jsonWalker struct {
	line  []byte
	r     *Redactor
	edits []edit
}

// jsonEdits appends the edits for the values of line, a JSON object, that
// only a walk by key can find. It reports whether line is a well-formed
// JSON object; the edits found before a malformation are kept.
func (r *Redactor) jsonEdits(edits []edit, line []byte) ([]edit, bool) {
	w := jsonWalker{line: line, r: r, edits: edits}
	i := w.ws(0)
	end, ok := w.value(i, keyOther, 0)
	if ok && w.ws(end) != len(line) {
		ok = false
	}
	return w.edits, ok
}

// ws skips JSON white space from i.
func (w *jsonWalker) ws(i int) int {
	for i < len(w.line) {
		switch w.line[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// value walks the value at i, which belongs to a key of kind k, and
// returns the offset after it.
func (w *jsonWalker) value(i int, k jsonKey, depth int) (int, bool) {
	if i >= len(w.line) || depth > maxJSONDepth {
		return i, false
	}
	switch w.line[i] {
	case '"':
		end, ok := w.str(i)
		if !ok {
			return end, false
		}
		w.redact(k, i+1, end-1)
		return end, true
	case '{':
		return w.object(i, k, depth+1)
	case '[':
		// An array takes the kind of its key: Caddy logs header values
		// as arrays of strings.
		i = w.ws(i + 1)
		if i < len(w.line) && w.line[i] == ']' {
			return i + 1, true
		}
		for {
			end, ok := w.value(i, k, depth+1)
			if !ok {
				return end, false
			}
			i = w.ws(end)
			if i >= len(w.line) {
				return i, false
			}
			switch w.line[i] {
			case ',':
				i = w.ws(i + 1)
			case ']':
				return i + 1, true
			default:
				return i, false
			}
		}
	}
	// A number, true, false or null.
	j := i
	for j < len(w.line) {
		c := w.line[j]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		j++
	}
	if k == keyUser && w.r.user && j > i && isNumber(w.line[i]) {
		// A numeric user id: replace the number with a string.
		w.edits = append(w.edits, edit{i, j, `"-"`})
	}
	return j, j > i
}

func isNumber(c byte) bool { return c == '-' || '0' <= c && c <= '9' }

// object walks the object at i, the value of a key of kind parent: its
// keys of no kind of their own take the parent's (all of "user":{…} is
// the user).
func (w *jsonWalker) object(i int, parent jsonKey, depth int) (int, bool) {
	i = w.ws(i + 1)
	if i < len(w.line) && w.line[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(w.line) || w.line[i] != '"' {
			return i, false
		}
		end, ok := w.str(i)
		if !ok {
			return end, false
		}
		k := classifyKey(w.line[i+1 : end-1])
		if k == keyOther {
			k = parent
		}
		i = w.ws(end)
		if i >= len(w.line) || w.line[i] != ':' {
			return i, false
		}
		if end, ok = w.value(w.ws(i+1), k, depth); !ok {
			return end, false
		}
		i = w.ws(end)
		if i >= len(w.line) {
			return i, false
		}
		switch w.line[i] {
		case ',':
			i = w.ws(i + 1)
		case '}':
			return i + 1, true
		default:
			return i, false
		}
	}
}

// str returns the offset after the string starting at i.
func (w *jsonWalker) str(i int) (int, bool) {
	for j := i + 1; j < len(w.line); j++ {
		switch w.line[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(w.line), false
}

// redact records the replacement of the string contents line[start:end]
// according to k and the Redactor's keys.
func (w *jsonWalker) redact(k jsonKey, start, end int) {
	v := w.line[start:end]
	if len(v) == 0 || len(v) == 1 && v[0] == '-' {
		return
	}
	repl, ok := "", false
	switch k {
	case keyClient:
		repl, ok = "-", w.r.ip && !isAddrText(v)
	case keyUser:
		repl, ok = "-", w.r.user
	case keyUA:
		repl, ok = "-", w.r.ua
	case keyQuery:
		ok = w.r.query
	}
	if ok {
		w.edits = append(w.edits, edit{start, end, repl})
	}
}
