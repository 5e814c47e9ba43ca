package subsystem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/redact"
	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// stats answers the stats verb (PROTOCOL.md §2.2): the lines of the log,
// as it is when opened, that the filter selects, redacted, then grouped by
// the --by keys; the answer is the table, not the lines.
func stats(ctx context.Context, ss *session, req wire.Request, o output) error {
	keys, err := req.Stats.Keys()
	if err != nil {
		return wire.Errorf(wire.StatusUsage, "stats: --by: "+wire.Sanitize(err.Error())) // ParseRequest checked it
	}
	if req.Stats.Every > 0 {
		return statsEvery(ctx, ss, req, keys, o)
	}
	c, err := openContent(ss, req)
	if err != nil {
		return err
	}
	defer c.close()
	a, err := newAggregator(ss, req, keys, c)
	if err != nil {
		return err
	}
	t, err := countParts(ctx, a, c)
	if errors.Is(err, tally.ErrOrder) { // a part was full: count in one pass
		t, err = countAll(ctx, a, c)
	}
	if errors.Is(err, errRead) {
		return readError(req.Log)
	}
	if err != nil {
		return err
	}
	if err := writeTable(o, req.Framed, t, wire.Window{}); err != nil {
		return err
	}
	return o.end(wire.End{})
}

// countAll counts the whole of c with a, in one pass.
func countAll(ctx context.Context, a *aggregator, c *content) (*tally.Table, error) {
	r, err := c.section(0, c.size)
	if err != nil {
		return nil, errRead
	}
	if err := a.read(ctx, r); err != nil {
		return nil, err
	}
	return a.t, nil
}

// errRead marks a failure to read the log.
var errRead = errors.New("read failed")

// aggregator feeds the lines of a log through redaction and the filter
// into a table.
type aggregator struct {
	t   *tally.Table
	sel *accesslog.Selector // selects the lines and parses them once
	red *redact.Redactor    // nil: lines as they are
	tmp []byte

	skipping bool // inside an overlong line (piece), already counted

	// What made sel, for another aggregator of the same request.
	spec   accesslog.FilterSpec
	format accesslog.Format
	now    time.Time
}

// newAggregator returns the aggregator for req, with keys, over the log
// whose content c gives the format when the policy does not.
func newAggregator(ss *session, req wire.Request, keys []tally.Key, c *content) (*aggregator, error) {
	f := ss.format(req.Log)
	if f.IsZero() {
		f = detectFormat(c)
	}
	now := time.Now()
	sel, err := newSelector(req.Filter, c, f, now)
	if err != nil {
		return nil, err
	}
	if sel == nil { // every line is selected, and every line is parsed
		sel, _ = accesslog.NewSelector(accesslog.FilterSpec{}, f, time.Time{})
	}
	red := ss.redactor(req.Log)
	if !red.Active() {
		red = nil
	}
	return &aggregator{t: tally.New(keys, req.Stats.MaxGroups), sel: sel, red: red, spec: req.Filter, format: f, now: now}, nil
}

// fork returns a new aggregator of the same request for another of n
// parts of the same log, with an empty table of the same keys and one
// n-th of the room (tally.NewPart). The redactor is not shared: fork is
// only for aggregators without one.
func (a *aggregator) fork(n int) (*aggregator, error) {
	sel, err := accesslog.NewSelector(a.spec, a.format, a.now)
	if err != nil {
		return nil, err // a.spec compiled before: cannot happen
	}
	return &aggregator{t: tally.NewPart(a.t.Keys(), a.t.MaxGroups(), n), sel: sel, spec: a.spec, format: a.format, now: a.now}, nil
}

// read aggregates the lines of r. A line longer than the read buffer
// counts once, as unparsed: no format logs such lines on purpose.
func (a *aggregator) read(ctx context.Context, r io.Reader) error {
	buf := make([]byte, 256<<10)
	held := 0         // bytes of an incomplete line at the start of buf
	skipping := false // inside an overlong line, already counted
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(r, buf[held:])
		atEnd := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !atEnd {
			return errRead
		}
		data := buf[:held+n]
		cut := bytes.LastIndexByte(data, '\n') + 1
		if atEnd {
			cut = len(data)
		}
		if cut == 0 { // a full buffer without a newline
			if !skipping {
				a.t.AddUnparsed()
				skipping = true
			}
			held = 0
			continue
		}
		lines := data[:cut]
		if skipping { // the rest of the overlong line
			if i := bytes.IndexByte(lines, '\n'); i >= 0 {
				lines = lines[i+1:]
			} else {
				lines = nil // the log ends inside it
			}
			skipping = false
		}
		if a.lines(lines) || atEnd {
			return nil
		}
		held = copy(buf, data[cut:])
	}
}

// piece aggregates one piece of data from a follow: whole lines, or with
// partial a piece of a line too long for one read, which counts once, as
// unparsed, its later pieces not at all. It reports whether an
// --until-path line was seen.
func (a *aggregator) piece(data []byte, partial bool) bool {
	if a.skipping {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			a.skipping = partial
			return false
		}
		data, a.skipping = data[i+1:], false
	}
	if partial {
		i := bytes.LastIndexByte(data, '\n') + 1
		stop := a.lines(data[:i])
		a.t.AddUnparsed()
		a.skipping = true
		return stop
	}
	return a.lines(data)
}

// lines aggregates whole lines; it reports whether an --until-path line
// was seen.
func (a *aggregator) lines(data []byte) (stop bool) {
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		line := data[:n]
		data = data[n:]
		if a.red != nil {
			a.tmp = a.red.Line(a.tmp[:0], line)
			line = a.tmp
		}
		keep, stop := a.sel.Select(line)
		if keep {
			// The selector's parse, when it made one: no second parse.
			if rec, err := a.sel.Record(); err != nil {
				a.t.AddUnparsed()
			} else {
				a.t.Add(rec)
			}
		}
		if stop {
			return true
		}
	}
	return false
}

// aggregateOutput is an output that can carry A frames.
type aggregateOutput interface {
	aggregate(payload []byte) error
}

// writeTable writes t: framed as A frames, raw as a tab-separated table
// for people.
func writeTable(o output, framed bool, t *tally.Table, w wire.Window) error {
	ao, ok := o.(aggregateOutput)
	if framed && ok {
		for _, p := range wire.EncodeTable(t, w) {
			if err := ao.aggregate(p); err != nil {
				return err
			}
		}
		return nil
	}
	return o.meta(nil, tableText(t))
}

// tableText renders t as tab-separated lines: a header, the groups, then
// the overflow and unparsed rows when they count anything. Values are
// sanitized: this goes to a person's terminal.
func tableText(t *tally.Table) string {
	var b strings.Builder
	keys := t.Keys()
	for _, k := range keys {
		b.WriteString(string(k) + "\t")
	}
	b.WriteString("count\tbytes\tp50_ms\tp90_ms\tp99_ms\n")
	row := func(values []string, g *tally.Group) {
		for _, v := range values {
			b.WriteString(wire.Sanitize(strings.ReplaceAll(v, "\t", " ")) + "\t")
		}
		fmt.Fprintf(&b, "%d\t%d", g.Count, g.Bytes)
		for _, q := range []float64{0.5, 0.9, 0.99} {
			if g.Durations == nil {
				b.WriteString("\t-")
			} else {
				b.WriteString("\t" + strconv.FormatFloat(g.Durations.Quantile(q), 'f', 3, 64))
			}
		}
		b.WriteString("\n")
	}
	for _, g := range t.Groups() {
		row(g.Values, g)
	}
	label := func(s string) []string {
		v := make([]string, max(len(keys), 1))
		for i := range v {
			v[i] = s
		}
		return v[:len(keys)]
	}
	if t.Truncated() {
		row(label("(overflow)"), &t.Overflow)
	}
	if t.Unparsed > 0 {
		row(label("(unparsed)"), &tally.Group{Count: t.Unparsed})
	}
	return b.String()
}

func (o *framedOutput) aggregate(p []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.fw.WriteFrame(wire.FrameAggregate, p)
}

// aggregate counts an A frame against the byte cap: a table too large for
// it is refused whole rather than cut.
func (m *meter) aggregate(p []byte) error {
	ao, ok := m.output.(aggregateOutput)
	if !ok {
		return errors.New("output cannot carry aggregates")
	}
	if m.max > 0 && m.sent.Load()+int64(len(p)) > m.max {
		return wire.Errorf(wire.StatusLimit, fmt.Sprintf("byte limit reached: this key may receive at most %d bytes per request; ask for fewer groups (--max-groups)", m.max))
	}
	m.sent.Add(int64(len(p)))
	return ao.aggregate(p)
}
