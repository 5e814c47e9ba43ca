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
		return nil, wire.Errorf(wire.StatusUsage, "filter: "+sanitizeText(err.Error()))
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
		perr = s.parser.Parse(line, &s.rec)
	}
	return s.filter.Match(line, &s.rec, perr), s.filter.Stops(&s.rec, perr)
}

// sanitizeText replaces control characters in a message that may quote
// client input.
func sanitizeText(s string) string {
	b := []rune(s)
	for i, r := range b {
		if r < 0x20 || r == 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}

// batcher gathers selected lines that are contiguous in the file into data
// frames of up to wire.MaxData bytes, so that dense output costs few
// writes and sparse output still carries each line's exact offset.
type batcher struct {
	o     output
	start int64
	buf   []byte
}

func newBatcher(o output) *batcher { return &batcher{o: o, buf: make([]byte, 0, wire.MaxData)} }

// add queues line, which starts at off.
func (b *batcher) add(off int64, line []byte) error {
	if len(b.buf) > 0 && (b.start+int64(len(b.buf)) != off || len(b.buf)+len(line) > wire.MaxData) {
		if err := b.flush(); err != nil {
			return err
		}
	}
	if len(b.buf) == 0 {
		b.start = off
	}
	if len(line) > wire.MaxData {
		return b.o.data(off, line) // the writer splits it
	}
	b.buf = append(b.buf, line...)
	return nil
}

// flush writes what is queued.
func (b *batcher) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	err := b.o.data(b.start, b.buf)
	b.buf = b.buf[:0]
	return err
}

// selectLines passes each line of data (whole lines, starting at off)
// through sel into b. It reports whether an --until-path line was seen.
func selectLines(sel *selector, b *batcher, off int64, data []byte) (bool, error) {
	if sel == nil {
		return false, b.add(off, data)
	}
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		line := data[:n]
		keep, stop := sel.keep(line)
		if keep {
			if err := b.add(off, line); err != nil {
				return false, err
			}
		}
		if stop {
			return true, nil
		}
		off += int64(n)
		data = data[n:]
	}
	return false, nil
}
