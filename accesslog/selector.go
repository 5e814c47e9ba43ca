package accesslog

import "time"

// Selector decides which lines of one log a filter selects, as cheaply as
// it can: it parses a line only when the filter looks at parsed fields,
// and for the built-in text formats it rules a line out with
// [Filter.MayMatch] before parsing it. Both the server's filter and a
// client filtering locally use it, so they select the same lines.
//
// A Selector keeps the parse of the last line and the format it detected,
// so it is not safe for concurrent use: make one per stream of lines. A
// nil *Selector selects every line.
type Selector struct {
	filter  *Filter // nil: every line
	needRec bool
	parser  *AutoParser
	line    []byte // the line Select last saw
	parsed  bool   // whether rec and perr are line's
	rec     Record
	perr    error
}

// NewSelector compiles spec for the lines of a log in format f; the zero
// Format means that the format is detected from the lines as they come
// (see [AutoParser]). now anchors --since and --until given as durations.
// An empty spec makes a Selector that selects every line. Errors are those
// of [Compile].
func NewSelector(spec FilterSpec, f Format, now time.Time) (*Selector, error) {
	s := &Selector{parser: NewAutoParser(f)}
	if spec == (FilterSpec{}) {
		return s, nil
	}
	flt, err := Compile(spec, now)
	if err != nil {
		return nil, err
	}
	s.filter, s.needRec = flt, flt.NeedsRecord()
	return s, nil
}

// Select reports whether line (one line, with or without its newline) is
// selected, and whether it is the --until-path request after which the
// caller stops, once it has passed the line on if it was selected. line
// must stay unchanged until the next Select if [Selector.Record] is to be
// called for it.
func (s *Selector) Select(line []byte) (keep, stop bool) {
	if s == nil {
		return true, false
	}
	s.line, s.parsed = line, false
	if s.filter == nil {
		return true, false
	}
	if !s.needRec {
		return s.filter.Match(line, nil, nil), false
	}
	// Most lines of a --status search are rejected without a parse.
	if s.parser.Format().TextFormat() && !s.filter.MayMatch(line) {
		return false, false
	}
	s.parse()
	return s.filter.Match(line, &s.rec, s.perr), s.filter.Stops(&s.rec, s.perr)
}

// Record returns the parse of the line last given to Select, parsing it
// now if Select did not need to: for rendering a selected line. The
// Record is valid until the next Select.
func (s *Selector) Record() (*Record, error) {
	if !s.parsed {
		s.parse()
	}
	return &s.rec, s.perr
}

// Format returns the format lines are parsed with: the one given to
// NewSelector, or the one detected so far (the zero Format before that).
func (s *Selector) Format() Format { return s.parser.Format() }

func (s *Selector) parse() {
	s.perr = s.parser.Parse(s.line, &s.rec)
	s.parsed = true
}
