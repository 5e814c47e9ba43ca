package render

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// appendTerminalSafe appends s to dst with everything a terminal could
// act on made visible: C0 controls (ESC, CR, BS, ...) and DEL as \xHH,
// bytes that are not UTF-8 as \xHH, and C1 controls, bidi controls and
// line separators as \uXXXX. Other text is copied as it is.
func appendTerminalSafe(dst, s []byte) []byte {
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
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		case invisible(r):
			dst = appendU(dst, r)
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// invisible reports whether r is a control or formatting character that
// a terminal may act on or that can disguise text: C1 controls (U+009B is
// a CSI), bidi controls, line and paragraph separators, the BOM.
func invisible(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f,
		r == 0x061c, r == 0x200e, r == 0x200f,
		r >= 0x202a && r <= 0x202e,
		r >= 0x2066 && r <= 0x2069,
		r == 0x2028, r == 0x2029, r == 0xfeff:
		return true
	}
	return false
}

// appendU appends \uXXXX for a rune below U+10000.
func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
}
