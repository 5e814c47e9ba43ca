package subsystem

import (
	"bytes"
	"io"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/wire"
)

// detectBytes is how much of the start of a log is read to detect its
// format.
const detectBytes = 16 << 10

// selector decides which lines of a log leave the host: the request's
// filter, evaluated here so that only matching lines cross the network.
// A nil *selector keeps every line.
type selector struct {
	filter  *accesslog.Filter
	parser  *accesslog.AutoParser
	rec     accesslog.Record
	needRec bool
}

// newSelector compiles spec for a log of format f, or when f is the zero
// Format one detected from the first lines of c. It returns nil when spec
// selects every line.
func newSelector(spec accesslog.FilterSpec, c *content, f accesslog.Format, now time.Time) (*selector, error) {
	if spec == (accesslog.FilterSpec{}) {
		return nil, nil
	}
	flt, err := accesslog.Compile(spec, now)
	if err != nil {
		return nil, wire.Errorf(wire.StatusUsage, "filter: "+wire.Sanitize(err.Error()))
	}
	s := &selector{filter: flt, needRec: flt.NeedsRecord()}
	if s.needRec {
		if f.IsZero() {
			f = detectFormat(c)
		}
		// An empty log is detected from its first lines as they come.
		s.parser = accesslog.NewAutoParser(f)
	}
	return s, nil
}

// detectFormat guesses c's format from its first lines (PROTOCOL.md §2.1).
func detectFormat(c *content) accesslog.Format {
	buf := make([]byte, detectBytes)
	r, err := c.section(0, detectBytes)
	if err != nil {
		return accesslog.Format{}
	}
	n, _ := io.ReadFull(r, buf)
	buf = buf[:n]
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 && n == detectBytes {
		buf = buf[:i+1] // whole lines only
	}
	return accesslog.Detect(bytes.SplitAfter(buf, []byte("\n")))
}

// keep reports whether line is selected, and whether it is the
// --until-path request that ends the answer (after it is sent).
func (s *selector) keep(line []byte) (keep, stop bool) {
	if s == nil {
		return true, false
	}
	var perr error
	if s.needRec {
		// Most lines of a --status search are rejected without a parse.
		if s.parser.Format().TextFormat() && !s.filter.MayMatch(line) {
			return false, false
		}
		perr = s.parser.Parse(line, &s.rec)
	}
	return s.filter.Match(line, &s.rec, perr), s.filter.Stops(&s.rec, perr)
}
