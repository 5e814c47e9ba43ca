package policy

import (
	"sort"
	"strings"
)

// sibling is a rotated copy of a log, with what orders it.
type sibling struct {
	path string
	num  int    // numbered rotation: 1 is newest; 0 for dated
	date string // dated rotation (YYYYMMDD…): larger is newer
}

// parseSibling reports whether name is a rotated sibling of base:
// base.N, base.N.gz, base-DATE or base-DATE.gz, where N is 1–9999 and DATE
// is 8 to 14 digits (dateext with an optional time).
func parseSibling(base, name string) (sibling, bool) {
	rest, ok := strings.CutPrefix(name, base)
	if !ok || len(rest) < 2 {
		return sibling{}, false
	}
	rest = strings.TrimSuffix(rest, ".gz")
	sep, digits := rest[0], rest[1:]
	if !allDigits(digits) {
		return sibling{}, false
	}
	switch {
	case sep == '.' && len(digits) <= 4 && digits[0] != '0':
		n := 0
		for _, c := range digits {
			n = n*10 + int(c-'0')
		}
		return sibling{num: n}, true
	case sep == '-' && len(digits) >= 8 && len(digits) <= 14:
		return sibling{date: digits}, true
	}
	return sibling{}, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// sortSiblings orders newest first: dated ones (newest date first), then
// numbered ones (1, 2, …). A directory normally holds only one kind.
func sortSiblings(s []sibling) {
	sort.Slice(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if (a.date != "") != (b.date != "") {
			return a.date != ""
		}
		if a.date != "" {
			return a.date > b.date
		}
		return a.num < b.num
	})
}
