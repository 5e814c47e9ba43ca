package policy

import (
	"bytes"
	"strings"

	"github.com/BurntSushi/toml"
)

// keyLine returns the number of the line of TOML document data that
// defines key (or a key under it), or 0 if it cannot tell: the TOML
// decoder reports no positions for keys it did not decode. It follows
// table headers and dotted and inline-table keys well enough for error
// messages; it is not a TOML parser.
func keyLine(data []byte, key toml.Key) int {
	var table []string
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' {
			h := strings.Trim(line, "[]")
			if j := strings.IndexByte(line, ']'); j >= 0 {
				h = strings.Trim(line[:j], "[")
			}
			table = splitKey(h)
			if hasPrefix(table, key) {
				return i + 1
			}
			continue
		}
		lhs, rhs, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		full := append(append([]string{}, table...), splitKey(lhs)...)
		if hasPrefix(full, key) {
			return i + 1
		}
		// A key of an inline table: table.lhs.{ piece = … }.
		if len(key) == len(full)+1 && hasPrefix(key, full) {
			piece := key[len(key)-1]
			for _, part := range strings.FieldsFunc(rhs, func(r rune) bool { return r == '{' || r == ',' }) {
				if k, _, ok := strings.Cut(part, "="); ok && unquote(strings.TrimSpace(k)) == piece {
					return i + 1
				}
			}
		}
	}
	return 0
}

// splitKey splits a dotted TOML key, removing quotes; a quoted part holding
// a dot is not split correctly, which only costs a line number.
func splitKey(s string) []string {
	var parts []string
	for _, p := range strings.Split(s, ".") {
		parts = append(parts, unquote(strings.TrimSpace(p)))
	}
	return parts
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// hasPrefix reports whether key starts with all of prefix.
func hasPrefix(key, prefix []string) bool {
	if len(prefix) > len(key) || len(prefix) == 0 {
		return false
	}
	for i := range prefix {
		if key[i] != prefix[i] {
			return false
		}
	}
	return true
}
