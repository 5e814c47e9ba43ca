package render

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/weblogctl/weblogctl/wire"
)

// appendJSONString appends s as a JSON string. Each byte of invalid UTF-8
// becomes U+FFFD (as encoding/json does); control characters, DEL and
// the other characters that wire.Unsafe reports are escaped as \uXXXX (a
// surrogate pair above U+FFFF), so the result is safe on a terminal as
// well as valid JSON.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		if c < 0x80 {
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = wire.AppendUnicodeEscape(dst, rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, `\ufffd`...)
		case wire.Unsafe(r) && r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			dst = wire.AppendUnicodeEscape(wire.AppendUnicodeEscape(dst, r1), r2)
		case wire.Unsafe(r):
			dst = wire.AppendUnicodeEscape(dst, r)
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
