package subsystem

import (
	"bytes"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/redact"
	"github.com/weblogctl/weblogctl/wire"
)

// pipeline takes the lines of a log on their way out: redaction first,
// then the filter (on the redacted line, so a filter cannot probe what
// redaction hides), then batching into frames.
type pipeline struct {
	sel *accesslog.Selector // nil: every line
	red *redact.Redactor    // nil or inactive: lines leave as they are
	b   *batcher
	tmp []byte // the redacted line
}

func newPipeline(sel *accesslog.Selector, red *redact.Redactor, o output) *pipeline {
	if !red.Active() {
		red = nil
	}
	return &pipeline{sel: sel, red: red, b: &batcher{o: o, buf: make([]byte, 0, wire.MaxData), redacted: red != nil}}
}

// lines passes data (whole lines of the current file, starting at off)
// through the pipeline. It reports whether an --until-path line was seen.
func (p *pipeline) lines(off int64, data []byte) (bool, error) {
	if p.sel == nil && p.red == nil {
		return false, p.b.add(off, int64(len(data)), data)
	}
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		line := data[:n]
		out := line
		if p.red != nil {
			p.tmp = p.red.Line(p.tmp[:0], line)
			out = p.tmp
		}
		keep, stop := p.sel.Select(out)
		if keep {
			if err := p.b.add(off, int64(n), out); err != nil {
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

// flush writes what is batched.
func (p *pipeline) flush() error { return p.b.flush() }

// batcher gathers selected lines that are contiguous in the file into
// frames of up to wire.MaxData bytes, so that dense output costs few writes
// and sparse output still carries each line's exact file range.
type batcher struct {
	o        output
	start    int64 // file offset of the first line batched
	span     int64 // file bytes the batched lines cover
	buf      []byte
	redacted bool // lines differ from the file's bytes: send R frames
}

// add queues out, the (possibly redacted) form of the span file bytes at
// off.
func (b *batcher) add(off, span int64, out []byte) error {
	if len(b.buf) > 0 && (b.start+b.span != off || len(b.buf)+len(out) > wire.MaxData) {
		if err := b.flush(); err != nil {
			return err
		}
	}
	if len(out) > wire.MaxData {
		return b.send(off, span, out) // the output splits it
	}
	if len(b.buf) == 0 {
		b.start, b.span = off, 0
	}
	b.buf = append(b.buf, out...)
	b.span += span
	return nil
}

// flush writes what is queued.
func (b *batcher) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	err := b.send(b.start, b.span, b.buf)
	b.buf = b.buf[:0]
	return err
}

func (b *batcher) send(off, span int64, data []byte) error {
	if b.redacted {
		return b.o.redacted(off, span, data)
	}
	return b.o.data(off, data)
}
