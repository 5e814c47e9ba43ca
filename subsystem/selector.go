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

// newSelector returns the selector of the lines that leave the host: the
// request's filter, evaluated here so that only matching lines cross the
// network. The log's format is f, or when f is the zero Format the one
// detected from the first lines of c (an empty log is detected from its
// lines as they come). It returns nil, which selects every line, when spec
// selects every line.
func newSelector(spec accesslog.FilterSpec, c *content, f accesslog.Format, now time.Time) (*accesslog.Selector, error) {
	if spec == (accesslog.FilterSpec{}) {
		return nil, nil
	}
	if f.IsZero() {
		f = detectFormat(c)
	}
	sel, err := accesslog.NewSelector(spec, f, now)
	if err != nil {
		return nil, wire.Errorf(wire.StatusUsage, "filter: "+wire.Sanitize(err.Error()))
	}
	return sel, nil
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
