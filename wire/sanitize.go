package wire

import (
	"strings"
	"unicode"
)

// Sanitize replaces every character that is not printable (control
// characters, escape sequences' ESC, C1 controls, invalid UTF-8) with '?',
// so that text from the other side (a client's request, a server's error
// message) cannot forge lines or drive a terminal when printed.
func Sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
}
