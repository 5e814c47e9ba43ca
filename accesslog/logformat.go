package accesslog

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ParseFormat returns the Format that a format string describes. It
// accepts:
//
//   - a built-in name: common, combined (or nginx_combined),
//     vhost_combined, nginx_main (or main), json (or caddy);
//   - an Apache LogFormat string, with or without the double quotes and
//     backslash escapes of httpd.conf:
//     %h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\";
//   - an nginx log_format string, bare or as single-quoted pieces copied
//     from nginx.conf, optionally after escape=json|default|none:
//     $remote_addr - $remote_user [$time_local] "$request" ...;
//   - a JSON template in either dialect, such as nginx's
//     escape=json '{"time":"$time_iso8601","status":$status,...}', whose
//     keys then name the fields of JSON-lines logs.
//
// Directives the Record has no place for (%I, $upstream_addr, ...) are
// matched and skipped. Errors are [*FormatError]s saying where.
func ParseFormat(s string) (Format, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Format{}, &FormatError{Format: s, Msg: "empty format"}
	}
	if f, ok := builtin(t); ok {
		return f, nil
	}
	esc := EscapeCLF
	if e, rest, ok := cutEscape(t); ok && (strings.HasPrefix(rest, "'") || looksNginx(rest)) {
		// escape= is nginx's; an Apache format that merely starts with
		// that text is taken whole.
		esc, t = e, rest
	}
	if t == "" {
		return Format{}, &FormatError{Format: s, Msg: "empty format"}
	}
	if t[0] == '\'' {
		text, err := joinQuoted(t)
		if err != nil {
			return Format{}, err
		}
		return parseTemplate(text, dialectNginx, esc)
	}
	a, n := countDirectives(t)
	switch {
	case n > a:
		return parseTemplate(t, dialectNginx, esc)
	case a > n:
		return parseTemplate(unwrapApache(t), dialectApache, EscapeCLF)
	case a == 0:
		return Format{}, &FormatError{Format: t, Msg: "no %directives or $variables"}
	}
	return Format{}, &FormatError{Format: t, Msg: "mixes Apache %directives and nginx $variables"}
}

// cutEscape splits nginx's "escape=json " prefix from a format.
func cutEscape(t string) (Escaping, string, bool) {
	rest, ok := strings.CutPrefix(t, "escape=")
	if !ok {
		return 0, "", false
	}
	i := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if i < 0 {
		return 0, "", false
	}
	var e Escaping
	switch rest[:i] {
	case "json":
		e = EscapeJSON
	case "default":
		e = EscapeCLF
	case "none":
		e = EscapeNone
	default:
		return 0, "", false
	}
	return e, strings.TrimSpace(rest[i:]), true
}

func looksNginx(t string) bool {
	a, n := countDirectives(t)
	return n > a
}

// countDirectives counts what look like Apache directives and nginx
// variables in t.
func countDirectives(t string) (apache, nginx int) {
	for i := 0; i+1 < len(t); i++ {
		c, n := t[i], t[i+1]
		switch {
		case c == '%' && n == '%':
			i++
		case c == '%' && (isLetter(n) || strings.IndexByte("<>!,0123456789{", n) >= 0):
			apache++
		case c == '$' && (isNameChar(n) || n == '{'):
			nginx++
		}
	}
	return apache, nginx
}

// joinQuoted joins the single-quoted pieces of an nginx.conf log_format
// ('...' '...'), undoing nginx's backslash escapes inside them.
func joinQuoted(t string) (string, error) {
	var b strings.Builder
	i := 0
	for i < len(t) {
		if t[i] != '\'' {
			return "", &FormatError{Format: t, Offset: i, Msg: "text outside single quotes"}
		}
		start := i
		i++
		closed := false
		for i < len(t) {
			c := t[i]
			if c == '\'' {
				closed = true
				i++
				break
			}
			if c == '\\' && i+1 < len(t) {
				switch n := t[i+1]; n {
				case '\'', '"', '\\':
					b.WriteByte(n)
					i += 2
					continue
				case 'n':
					b.WriteByte('\n')
					i += 2
					continue
				case 't':
					b.WriteByte('\t')
					i += 2
					continue
				case 'r':
					b.WriteByte('\r')
					i += 2
					continue
				}
			}
			b.WriteByte(c)
			i++
		}
		if !closed {
			return "", &FormatError{Format: t, Offset: start, Msg: "unterminated single quote"}
		}
		for i < len(t) && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') {
			i++
		}
	}
	return b.String(), nil
}

// quoteNginx is the inverse of joinQuoted for one piece.
func quoteNginx(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// unwrapApache removes the double quotes around an httpd.conf argument,
// if the whole of t is one quoted string.
func unwrapApache(t string) string {
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return t
	}
	for i := 1; i < len(t); i++ {
		switch t[i] {
		case '\\':
			i++
		case '"':
			if i == len(t)-1 {
				return t[1 : len(t)-1]
			}
			return t
		}
	}
	return t
}

// item is a piece of a format string while it is being parsed.
type item struct {
	lit  string // literal text; empty for a field
	kind fieldKind
	name string // directive as written; empty for a literal
	off  int    // offset of the directive in the format text
}

func (it item) isField() bool { return it.name != "" }

// parseTemplate parses the text of a format in dialect d.
func parseTemplate(text string, d dialect, esc Escaping) (Format, error) {
	json := strings.HasPrefix(strings.TrimSpace(text), "{")
	var (
		items []item
		canon string
		err   error
	)
	if d == dialectApache {
		items, canon, err = tokenizeApache(text, json)
	} else {
		items, err = tokenizeNginx(text)
		canon = text
	}
	if err != nil {
		return Format{}, err
	}
	if json {
		return buildJSON(text, d, items, canon)
	}
	f, err := buildText(text, items)
	if err != nil {
		return Format{}, err
	}
	f.dialect = d
	f.escaping = esc
	f.src = canonical(canon, d, esc)
	return f, nil
}

// canonical returns format text that ParseFormat reads back as the same
// format.
func canonical(text string, d dialect, esc Escaping) string {
	if d == dialectApache {
		// As httpd.conf writes it; text has every '"' escaped.
		return `"` + text + `"`
	}
	if strings.TrimSpace(text) != text || strings.HasPrefix(text, "'") ||
		strings.HasPrefix(text, `"`) || strings.HasPrefix(text, "escape=") || !looksNginx(text) {
		text = quoteNginx(text)
	}
	if esc != EscapeCLF {
		text = "escape=" + esc.String() + " " + text
	}
	return text
}

func tokenizeApache(text string, json bool) ([]item, string, error) {
	var (
		items []item
		lit   []byte
		canon []byte
	)
	flush := func() {
		if len(lit) > 0 {
			items = append(items, item{lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch c {
		case '\\':
			if i+1 < len(text) {
				n := text[i+1]
				if u, ok := apacheUnescape(n); ok {
					lit = append(lit, u)
					canon = append(canon, c, n)
					i += 2
					continue
				}
			}
			lit = append(lit, '\\')
			canon = append(canon, `\\`...)
			i++
		case '"':
			lit = append(lit, '"')
			canon = append(canon, `\"`...)
			i++
		case '\n':
			lit = append(lit, c)
			canon = append(canon, `\n`...)
			i++
		case '\t':
			lit = append(lit, c)
			canon = append(canon, `\t`...)
			i++
		case '\r':
			lit = append(lit, c)
			canon = append(canon, `\r`...)
			i++
		case '%':
			if i+1 < len(text) && text[i+1] == '%' {
				lit = append(lit, '%')
				canon = append(canon, "%%"...)
				i += 2
				continue
			}
			j := i + 1
			for j < len(text) && strings.IndexByte("<>!,0123456789", text[j]) >= 0 {
				j++
			}
			arg, hasArg := "", false
			if j < len(text) && text[j] == '{' {
				k := strings.IndexByte(text[j:], '}')
				if k < 0 {
					return nil, "", &FormatError{Format: text, Offset: i, Msg: "unterminated %{"}
				}
				arg, hasArg = text[j+1:j+k], true
				if strings.IndexFunc(arg, func(r rune) bool { return r < 0x20 || r == '"' || r == '\\' || r >= 0x7f }) >= 0 {
					return nil, "", &FormatError{Format: text, Offset: i, Msg: "%{...} argument must be printable ASCII without quotes or backslashes"}
				}
				j += k + 1
			}
			if j >= len(text) {
				return nil, "", &FormatError{Format: text, Offset: i, Msg: "directive without a letter"}
			}
			letter := text[j]
			j++
			name := text[i:j]
			if !utf8.ValidString(name) {
				return nil, "", &FormatError{Format: text, Offset: i, Msg: "invalid UTF-8 in directive"}
			}
			kind, brackets, msg := apacheKind(letter, arg, hasArg)
			if msg != "" {
				return nil, "", &FormatError{Format: text, Offset: i, Msg: fmt.Sprintf("%s: %s", name, msg)}
			}
			if brackets && !json {
				lit = append(lit, '[')
			}
			flush()
			items = append(items, item{kind: kind, name: name, off: i})
			if brackets && !json {
				lit = append(lit, ']')
			}
			canon = append(canon, name...)
			i = j
		default:
			lit = append(lit, c)
			canon = append(canon, c)
			i++
		}
	}
	flush()
	return items, string(canon), nil
}

func apacheUnescape(c byte) (byte, bool) {
	switch c {
	case '"', '\\':
		return c, true
	case 'n':
		return '\n', true
	case 't':
		return '\t', true
	case 'r':
		return '\r', true
	}
	return 0, false
}

// apacheKind maps a mod_log_config directive to what it holds. brackets
// reports that the directive writes its own [ ] around the value (%t).
func apacheKind(letter byte, arg string, hasArg bool) (kind fieldKind, brackets bool, msg string) {
	switch letter {
	case 'a', 'h':
		if letter == 'a' && hasArg && arg != "c" {
			return 0, false, "unknown argument"
		}
		return fRemoteAddr, false, ""
	case 'l':
		return fIdent, false, ""
	case 'u':
		return fUser, false, ""
	case 't':
		return apacheTime(arg, hasArg)
	case 'r':
		return fRequest, false, ""
	case 'm':
		return fMethod, false, ""
	case 'U':
		return fPath, false, ""
	case 'q':
		return fQuery, false, ""
	case 'H':
		return fProtocol, false, ""
	case 's':
		return fStatus, false, ""
	case 'b', 'B', 'O':
		return fBytes, false, ""
	case 'v', 'V':
		return fVHost, false, ""
	case 'p':
		switch arg {
		case "", "canonical", "local":
			return fPort, false, ""
		case "remote":
			return fSkip, false, ""
		}
		return 0, false, "unknown argument"
	case 'D':
		return fDurMicro, false, ""
	case 'T':
		switch arg {
		case "", "s":
			return fDurSec, false, ""
		case "ms":
			return fDurMilli, false, ""
		case "us":
			return fDurMicro, false, ""
		}
		return 0, false, "unknown unit"
	case 'i':
		if !hasArg || arg == "" {
			return 0, false, "needs a header name"
		}
		switch strings.ToLower(arg) {
		case "referer", "referrer":
			return fReferrer, false, ""
		case "user-agent":
			return fUserAgent, false, ""
		case "x-forwarded-for":
			return fForwarded, false, ""
		case "host":
			return fVHost, false, ""
		}
		return fSkip, false, ""
	case 'C', 'e', 'n', 'o', 'x':
		if !hasArg || arg == "" {
			return 0, false, "needs a name"
		}
		return fSkip, false, ""
	case 'A', 'f', 'I', 'k', 'L', 'P', 'R', 'S', 'X':
		return fSkip, false, ""
	}
	return 0, false, "unknown directive"
}

func apacheTime(arg string, hasArg bool) (fieldKind, bool, string) {
	if !hasArg {
		return fTimeCLF, true, ""
	}
	arg = strings.TrimPrefix(strings.TrimPrefix(arg, "begin:"), "end:")
	switch arg {
	case "sec":
		return fTimeSec, false, ""
	case "msec":
		return fTimeMilli, false, ""
	case "usec":
		return fTimeMicro, false, ""
	case "%d/%b/%Y:%H:%M:%S %z":
		return fTimeCLF, false, ""
	case "%Y-%m-%dT%H:%M:%S%z", "%FT%T%z", "%Y-%m-%d %H:%M:%S%z", "%F %T%z":
		return fTimeISO, false, ""
	}
	return 0, false, "unsupported time format (use %t, %{sec}t, %{msec}t, %{usec}t or an ISO 8601 %{...}t)"
}

func tokenizeNginx(text string) ([]item, error) {
	var items []item
	start := 0 // start of the pending literal
	for i := 0; i < len(text); {
		if text[i] != '$' || i+1 == len(text) || !(isNameChar(text[i+1]) || text[i+1] == '{') {
			i++
			continue
		}
		j := i + 1
		var v string
		if text[j] == '{' {
			k := strings.IndexByte(text[j:], '}')
			if k < 0 {
				return nil, &FormatError{Format: text, Offset: i, Msg: "unterminated ${"}
			}
			v = text[j+1 : j+k]
			j += k + 1
			if v == "" || strings.IndexFunc(v, func(r rune) bool { return r > 0x7f || !isNameChar(byte(r)) }) >= 0 {
				return nil, &FormatError{Format: text, Offset: i, Msg: "bad variable name"}
			}
		} else {
			for j < len(text) && isNameChar(text[j]) {
				j++
			}
			v = text[i+1 : j]
		}
		if start < i {
			items = append(items, item{lit: text[start:i]})
		}
		items = append(items, item{kind: nginxKind(v), name: text[i:j], off: i})
		i, start = j, j
	}
	if start < len(text) {
		items = append(items, item{lit: text[start:]})
	}
	return items, nil
}

func nginxKind(v string) fieldKind {
	switch v {
	case "remote_addr", "realip_remote_addr", "http_x_real_ip":
		return fRemoteAddr
	case "remote_user":
		return fUser
	case "time_local":
		return fTimeCLF
	case "time_iso8601":
		return fTimeISO
	case "msec":
		return fTimeSec
	case "request":
		return fRequest
	case "request_method":
		return fMethod
	case "request_uri", "uri", "document_uri":
		return fPath
	case "is_args", "args", "query_string":
		return fQuery
	case "server_protocol":
		return fProtocol
	case "status":
		return fStatus
	case "body_bytes_sent", "bytes_sent":
		return fBytes
	case "http_referer":
		return fReferrer
	case "http_user_agent":
		return fUserAgent
	case "http_x_forwarded_for", "proxy_add_x_forwarded_for":
		return fForwarded
	case "request_time":
		return fDurSec
	case "host", "server_name", "http_host":
		return fVHost
	case "server_port":
		return fPort
	}
	return fSkip
}

// buildText turns the items of a text format into a Format.
func buildText(text string, items []item) (Format, error) {
	var merged []item
	for _, it := range items {
		n := len(merged)
		switch {
		case it.kind == fQuery && it.isField():
			if n > 0 && merged[n-1].isField() && merged[n-1].kind == fPath {
				merged[n-1].name += it.name
				continue
			}
			it.kind = fSkip
		case !it.isField() && n > 0 && !merged[n-1].isField():
			merged[n-1].lit += it.lit
			continue
		}
		merged = append(merged, it)
	}
	var f Format
	lit, prev := "", ""
	for _, it := range merged {
		if !it.isField() {
			lit, prev = it.lit, ""
			continue
		}
		if prev != "" {
			return Format{}, &FormatError{Format: text, Offset: it.off,
				Msg: fmt.Sprintf("%s directly follows %s: fields need text between them", it.name, prev)}
		}
		f.fields = append(f.fields, field{kind: it.kind, before: lit, name: it.name})
		lit, prev = "", it.name
	}
	f.tail = lit
	if len(f.fields) == 0 {
		return Format{}, &FormatError{Format: text, Msg: "no fields"}
	}
	for i := range f.fields {
		fd := &f.fields[i]
		next := f.tail
		if i+1 < len(f.fields) {
			next = f.fields[i+1].before
			fd.numNext = f.fields[i+1].kind.numeric()
		}
		fd.nextB = []byte(next)
		fd.quoted = strings.HasSuffix(fd.before, `"`) && strings.HasPrefix(next, `"`)
	}
	return f, nil
}

// buildJSON turns the items of a JSON template into a Format: each field
// that is a whole JSON value ("key":"$var" or "key":$var) maps its key.
func buildJSON(text string, d dialect, items []item, canon string) (Format, error) {
	f := Format{dialect: dialectJSON, escaping: EscapeJSON}
	for i, it := range items {
		if !it.isField() || it.kind == fSkip || i == 0 || i+1 == len(items) ||
			items[i-1].isField() || items[i+1].isField() {
			continue
		}
		before, after := items[i-1].lit, items[i+1].lit
		quoted := strings.HasSuffix(before, `"`)
		if quoted {
			before = before[:len(before)-1]
			if !strings.HasPrefix(after, `"`) {
				continue
			}
		} else if after == "" || strings.IndexByte(", \t\r\n}", after[0]) < 0 {
			continue
		}
		key, ok := jsonKeyBefore(before)
		if !ok {
			continue
		}
		kind := it.kind
		if kind == fQuery {
			continue
		}
		f.keys = append(f.keys, jsonKey{key: key, kind: kind})
	}
	if len(f.keys) == 0 {
		return Format{}, &FormatError{Format: text, Msg: "JSON template maps no known field to a key"}
	}
	if d == dialectApache {
		f.src = canonical(canon, d, EscapeCLF)
	} else {
		f.src = canonical(canon, d, EscapeJSON)
	}
	return f, nil
}

// jsonKeyBefore returns KEY when s ends with "KEY" : (spaces allowed).
func jsonKeyBefore(s string) (string, bool) {
	s = strings.TrimRight(s, " \t\r\n")
	s, ok := strings.CutSuffix(s, ":")
	if !ok {
		return "", false
	}
	s = strings.TrimRight(s, " \t\r\n")
	s, ok = strings.CutSuffix(s, `"`)
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(s, '"')
	if i < 0 {
		return "", false
	}
	key := s[i+1:]
	if key == "" || strings.ContainsAny(key, `\`) {
		return "", false
	}
	return key, true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isNameChar(c byte) bool { return isLetter(c) || '0' <= c && c <= '9' || c == '_' }
