package wire

import (
	"unicode"
	"unicode/utf8"
)

// Text from the other side (a log line, a server's error message, a
// client's request, a host name from a hosts file) is shown to people
// only through the functions in this file, so that it cannot forge lines,
// drive a terminal or disguise itself, and so that every output path
// shows the same hostile byte the same way.

const hexDigits = "0123456789abcdef"

// Sanitize returns s with every character that a terminal could act on,
// or that could disguise text, replaced by a visible escape:
//
//   - C0 controls (TAB, LF, CR, ESC, BS, BEL …) and DEL become \xHH;
//   - each byte that is not part of valid UTF-8 becomes \xHH;
//   - C1 controls (U+0080–U+009F; U+009B is a CSI), format characters
//     (Unicode category Cf: the bidi controls U+061C, U+200E, U+200F,
//     U+202A–U+202E and U+2066–U+2069, zero-width characters, U+FEFF,
//     tag characters …) and the line and paragraph separators U+2028 and
//     U+2029 become \uXXXX, or \UXXXXXXXX above U+FFFF.
//
// Everything else, backslashes included, is kept as it is: the result is
// for reading, not for parsing back. The result holds no character that
// [Unsafe] reports, so Sanitize(Sanitize(s)) == Sanitize(s). s is
// returned itself when nothing needs escaping.
func Sanitize(s string) string {
	if clean(s, false) {
		return s
	}
	return string(appendSanitized(nil, s, false))
}

// SanitizeLines is [Sanitize] for text of several lines (an SSH banner,
// keyboard-interactive instructions): LF and TAB are kept, a CR right
// before an LF is dropped, and everything else is escaped as Sanitize
// does.
func SanitizeLines(s string) string {
	if clean(s, true) {
		return s
	}
	return string(appendSanitized(nil, s, true))
}

// AppendSanitized appends [Sanitize](s) to dst, without allocating when
// dst has room: for renderers that write many lines.
func AppendSanitized(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x7f {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		if c < 0x80 {
			dst = appendX(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = appendX(dst, c)
		case Unsafe(r):
			dst = AppendUnicodeEscape(dst, r)
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// Unsafe reports whether r is a character that [Sanitize] escapes: a C0
// or C1 control, DEL, a format character (category Cf) or a line or
// paragraph separator. utf8.RuneError is not unsafe in itself: only bytes
// that are not UTF-8 are.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029:
		return true
	case r < 0xa0:
		return false
	}
	return unicode.Is(unicode.Cf, r)
}

// AppendUnicodeEscape appends \uXXXX (\UXXXXXXXX above U+FFFF) for r.
func AppendUnicodeEscape(dst []byte, r rune) []byte {
	if r > 0xffff {
		dst = append(dst, '\\', 'U')
		for shift := 28; shift >= 0; shift -= 4 {
			dst = append(dst, hexDigits[r>>shift&15])
		}
		return dst
	}
	return append(dst, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
}

func appendX(dst []byte, c byte) []byte {
	return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
}

// clean reports whether s needs no escaping (with lines, LF and TAB are
// allowed).
func clean(s string, lines bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f || lines && (c == '\n' || c == '\t') {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || Unsafe(r) {
			return false
		}
		i += size
	}
	return true
}

// appendSanitized appends Sanitize(s), or with lines SanitizeLines(s), to
// dst.
func appendSanitized(dst []byte, s string, lines bool) []byte {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != '\n' && s[j] != '\t' && s[j] != '\r' {
			j++
		}
		dst = AppendSanitized(dst, []byte(s[i:j]))
		if j == len(s) {
			break
		}
		switch c := s[j]; {
		case !lines:
			dst = appendX(dst, c)
		case c != '\r':
			dst = append(dst, c)
		case j+1 < len(s) && s[j+1] == '\n':
			// CR LF: the LF comes next.
		default:
			dst = appendX(dst, c)
		}
		i = j + 1
	}
	return dst
}
