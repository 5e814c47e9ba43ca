package accesslog

import (
	"errors"
	"strings"
)

// statusSet is a set of status codes 0-999.
type statusSet [16]uint64

func (s *statusSet) has(code int) bool {
	return code >= 0 && code < 1000 && s[code>>6]&(1<<(code&63)) != 0
}

func (s *statusSet) add(lo, hi int) {
	for c := lo; c <= hi; c++ {
		s[c>>6] |= 1 << (c & 63)
	}
}

// parseStatusSet parses a comma-separated list of codes (404), classes
// (4xx) and ranges (500-599).
func parseStatusSet(v string) (*statusSet, error) {
	var s statusSet
	items := strings.Split(v, ",")
	if len(items) > MaxListItems {
		return nil, errors.New("too many items")
	}
	for _, it := range items {
		it = strings.TrimSpace(it)
		lo, hi, err := statusRange(it)
		if err != nil {
			return nil, err
		}
		s.add(lo, hi)
	}
	return &s, nil
}

func statusRange(it string) (lo, hi int, err error) {
	bad := errors.New("bad status " + quoteItem(it) + " (want 404, 4xx or 500-599)")
	if len(it) == 3 && (it[1] == 'x' || it[1] == 'X') && (it[2] == 'x' || it[2] == 'X') && '1' <= it[0] && it[0] <= '9' {
		c := int(it[0]-'0') * 100
		return c, c + 99, nil
	}
	a, b, isRange := strings.Cut(it, "-")
	lo, ok := code3(a)
	if !ok {
		return 0, 0, bad
	}
	if !isRange {
		return lo, lo, nil
	}
	hi, ok = code3(b)
	if !ok || hi < lo {
		return 0, 0, bad
	}
	return lo, hi, nil
}

func code3(s string) (int, bool) {
	if len(s) != 3 {
		return 0, false
	}
	n, ok := num([]byte(s))
	return n, ok
}

func quoteItem(s string) string {
	if len(s) > 32 {
		s = s[:32] + "..."
	}
	return `"` + s + `"`
}
