package fleet

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Host pattern grammar (see Expand):
//
//	pattern  = alt *( "," alt )              ; a list: each alt's hosts in turn
//	alt      = *( literal / range / braces ) ; the product, left to right
//	range    = "[" item *( "," item ) "]"    ; item = NUM / NUM "-" NUM
//	braces   = "{" alt *( "," alt ) "}"      ; nests; an alt may be empty
//	literal  = any printable character but space and [ ] { } ,
//	           (unicode.IsPrint: no controls, no bidi or other format
//	           characters)
//
// A "[…]" holding a colon is an IPv6 address ([::1]:2222) and is kept as
// it is.

// MaxPatternLen bounds the length of one host pattern, in bytes.
const MaxPatternLen = 4096

// maxNesting bounds how deeply braces nest.
const maxNesting = 16

// maxDigits bounds the digits of a number in a range.
const maxDigits = 18

// PatternError is a host pattern that does not parse or expands to too
// many hosts.
type PatternError struct {
	Pattern string // the pattern as given
	Offset  int    // byte offset of the problem in Pattern
	Msg     string
}

// Error names the pattern (cut short), the problem and where it is.
func (e *PatternError) Error() string {
	p := e.Pattern
	if len(p) > 80 {
		p = p[:80] + "…"
	}
	return fmt.Sprintf("host pattern %s: %s (at byte %d)", strconv.Quote(p), e.Msg, e.Offset)
}

// Expand returns the hosts a pattern names, in order: "web[01-03]" is
// web01, web02, web03 (a range is zero-padded to the width of its lower
// bound when that is written with a leading zero), "web[1,3,5-6]" is
// web1, web3, web5, web6, "web{a,b}" is weba, webb, and "web1,db1" is
// web1, db1. Ranges and braces multiply: "r[1-2]n[1-2]" is r1n1, r1n2,
// r2n1, r2n2. A "[…]" holding a colon is an IPv6 address, kept as it is.
// A plain host name is returned as it is.
//
// Expand refuses patterns longer than MaxPatternLen, braces nested more
// than 16 deep, empty host names, spaces and control characters, and
// patterns naming more than max hosts (duplicates counted) before
// expanding anything. Errors are *PatternError. Duplicates are kept.
func Expand(pattern string, max int) ([]string, error) {
	n, err := Count(pattern)
	if err != nil {
		return nil, err
	}
	if n > uint64(max) {
		return nil, &PatternError{Pattern: pattern, Msg: fmt.Sprintf("names more than %d hosts", max)}
	}
	p, _ := parsePattern(pattern) // Count parsed it
	out := make([]string, 0, n)
	for _, a := range p {
		a.expand(nil, &out)
	}
	for _, h := range out {
		if h == "" {
			return nil, &PatternError{Pattern: pattern, Msg: "expands to an empty host name"}
		}
	}
	return out, nil
}

// Count returns how many hosts pattern names, duplicates included,
// without expanding it; counts beyond 2^63 are reported as 2^63. It fails
// as Expand does on a pattern that does not parse.
func Count(pattern string) (uint64, error) {
	p, err := parsePattern(pattern)
	if err != nil {
		return 0, err
	}
	return p.count(), nil
}

// IsSet reports whether spec names a set of hosts rather than one host
// by its syntax: a @group, or a pattern with a range, braces or a comma
// (whatever the number of hosts it expands to).
func IsSet(spec string) bool {
	if strings.HasPrefix(spec, "@") || strings.ContainsAny(spec, "{},") {
		return true
	}
	for rest := spec; ; {
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			return false
		}
		rest = rest[i+1:]
		j := strings.IndexByte(rest, ']')
		if j < 0 || !strings.Contains(rest[:j], ":") {
			return true // a range (or a malformed one)
		}
		rest = rest[j+1:]
	}
}

// The parsed form: a list of alternatives, each a sequence of terms.
type (
	alternatives []sequence
	sequence     []term
	// term is literal text, a range list or nested alternatives.
	term struct {
		lit    string
		ranges []numRange
		alts   alternatives
	}
	numRange struct {
		lo, hi uint64
		width  int // zero-padded to this many digits
	}
)

// countCap is where counts saturate.
const countCap = uint64(1) << 63

func satMul(a, b uint64) uint64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > countCap/b {
		return countCap
	}
	return min(a*b, countCap)
}

func satAdd(a, b uint64) uint64 { return min(a+b, countCap) } // both ≤ 2^63: no overflow

func (as alternatives) count() uint64 {
	var n uint64
	for _, s := range as {
		n = satAdd(n, s.count())
	}
	return n
}

func (s sequence) count() uint64 {
	n := uint64(1)
	for _, t := range s {
		n = satMul(n, t.count())
	}
	return n
}

func (t term) count() uint64 {
	switch {
	case t.ranges != nil:
		var n uint64
		for _, r := range t.ranges {
			n = satAdd(n, min(r.hi-r.lo+1, countCap))
		}
		return n
	case t.alts != nil:
		return t.alts.count()
	}
	return 1
}

// expand appends prefix followed by each expansion of s to out.
func (s sequence) expand(prefix []byte, out *[]string) {
	if len(s) == 0 {
		*out = append(*out, string(prefix))
		return
	}
	t, rest := s[0], s[1:]
	switch {
	case t.ranges != nil:
		for _, r := range t.ranges {
			for v := r.lo; ; v++ {
				b := appendPadded(prefix, v, r.width)
				rest.expand(b, out)
				if v == r.hi {
					break
				}
			}
		}
	case t.alts != nil:
		for _, a := range t.alts {
			// Each alternative is followed by the rest of the sequence.
			a.expandThen(prefix, rest, out)
		}
	default:
		rest.expand(append(prefix, t.lit...), out)
	}
}

// expandThen appends each expansion of s followed by each of then.
func (s sequence) expandThen(prefix []byte, then sequence, out *[]string) {
	joined := make(sequence, 0, len(s)+len(then))
	joined = append(append(joined, s...), then...)
	joined.expand(prefix, out)
}

func appendPadded(b []byte, v uint64, width int) []byte {
	var tmp [24]byte
	d := strconv.AppendUint(tmp[:0], v, 10)
	b = b[:len(b):len(b)] // never write into a sibling's prefix
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// parser is the state of one parsePattern.
type parser struct {
	s     string
	pos   int
	depth int
}

func (p *parser) fail(off int, format string, args ...any) error {
	return &PatternError{Pattern: p.s, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func parsePattern(s string) (alternatives, error) {
	p := &parser{s: s}
	if len(s) > MaxPatternLen {
		return nil, p.fail(MaxPatternLen, "longer than %d bytes", MaxPatternLen)
	}
	if s == "" {
		return nil, p.fail(0, "empty host name")
	}
	as, err := p.alternatives()
	if err != nil {
		return nil, err
	}
	if p.pos < len(s) { // only a stray "}" stops the top level early
		return nil, p.fail(p.pos, "unexpected %q", s[p.pos])
	}
	return as, nil
}

// alternatives parses alt *( "," alt ), stopping before "}" or the end.
func (p *parser) alternatives() (alternatives, error) {
	var as alternatives
	for {
		seq, err := p.sequence()
		if err != nil {
			return nil, err
		}
		as = append(as, seq)
		if p.pos < len(p.s) && p.s[p.pos] == ',' {
			p.pos++
			continue
		}
		return as, nil
	}
}

// sequence parses terms up to ",", "}" or the end.
func (p *parser) sequence() (sequence, error) {
	var seq sequence
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			seq = append(seq, term{lit: lit.String()})
			lit.Reset()
		}
	}
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch c {
		case ',', '}':
			flush()
			return seq, nil
		case ']':
			return nil, p.fail(p.pos, "unexpected ]")
		case '[':
			t, ipv6, err := p.bracket()
			if err != nil {
				return nil, err
			}
			if ipv6 {
				lit.WriteString(t.lit)
				continue
			}
			flush()
			seq = append(seq, t)
		case '{':
			start := p.pos
			if p.depth++; p.depth > maxNesting {
				return nil, p.fail(start, "braces nested more than %d deep", maxNesting)
			}
			p.pos++
			as, err := p.alternatives()
			if err != nil {
				return nil, err
			}
			if p.pos >= len(p.s) || p.s[p.pos] != '}' {
				return nil, p.fail(start, "unclosed {")
			}
			p.pos++
			p.depth--
			flush()
			seq = append(seq, term{alts: as})
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return nil, p.fail(p.pos, "invalid UTF-8")
			}
			if r == ' ' || !unicode.IsPrint(r) {
				return nil, p.fail(p.pos, "space or unprintable character %U", r)
			}
			lit.WriteString(p.s[p.pos : p.pos+size])
			p.pos += size
		}
	}
	flush()
	return seq, nil
}

// bracket parses "[…]" at p.pos: a range list, or an IPv6 address kept as
// literal text (ipv6 true, the text in t.lit).
func (p *parser) bracket() (t term, ipv6 bool, err error) {
	start := p.pos
	end := strings.IndexByte(p.s[start:], ']')
	if end < 0 {
		return term{}, false, p.fail(start, "unclosed [")
	}
	body := p.s[start+1 : start+end]
	p.pos = start + end + 1
	if strings.Contains(body, ":") {
		for i := 0; i < len(body); i++ {
			if c := body[i]; !isAlnum(c) && !strings.ContainsRune(":.%_-", rune(c)) {
				return term{}, false, p.fail(start+1+i, "unexpected %q in an IPv6 address", c)
			}
		}
		return term{lit: p.s[start:p.pos]}, true, nil
	}
	if body == "" {
		return term{}, false, p.fail(start, "empty range []")
	}
	off := start + 1
	for item := range strings.SplitSeq(body, ",") {
		r, err := p.rangeItem(item, off)
		if err != nil {
			return term{}, false, err
		}
		t.ranges = append(t.ranges, r)
		off += len(item) + 1
	}
	return t, false, nil
}

// rangeItem parses NUM or NUM-NUM at byte offset off.
func (p *parser) rangeItem(item string, off int) (numRange, error) {
	loS, hiS, isRange := strings.Cut(item, "-")
	lo, err := p.number(loS, off)
	if err != nil {
		return numRange{}, err
	}
	if !isRange {
		return numRange{lo: lo, hi: lo, width: len(loS)}, nil
	}
	hi, err := p.number(hiS, off+len(loS)+1)
	if err != nil {
		return numRange{}, err
	}
	if lo > hi {
		return numRange{}, p.fail(off, "range %s goes down", item)
	}
	r := numRange{lo: lo, hi: hi}
	if len(loS) > 1 && loS[0] == '0' {
		r.width = len(loS)
	}
	return r, nil
}

func (p *parser) number(s string, off int) (uint64, error) {
	if s == "" {
		return 0, p.fail(off, "missing number in range")
	}
	if len(s) > maxDigits {
		return 0, p.fail(off, "number longer than %d digits", maxDigits)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, p.fail(off+i, "unexpected %q in a range (want digits, \",\" and \"-\")", s[i])
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
