package subsystem

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	"github.com/weblogctl/weblogctl/wire"
)

// filter answers the filter verb: the lines of the log, as it is when
// opened, that the filter selects; with --follow it goes on like follow. A
// line longer than the 256 KiB read buffer is judged in pieces.
func filter(ctx context.Context, ss *session, req wire.Request, o output) error {
	if req.Follow {
		return follow(ctx, ss, req, o)
	}
	c, err := openContent(ss, req)
	if err != nil {
		return err
	}
	defer c.close()
	sel, err := newSelector(req.Filter, c, ss.format(req.Log), time.Now())
	if err != nil {
		return err
	}
	if err := o.open(wire.Open{Log: req.Log, ID: c.id, Size: c.size, Reason: "start", File: c.name}); err != nil {
		return err
	}
	r, err := c.section(0, c.size)
	if err != nil {
		return readError(req.Log)
	}
	red := ss.redactor(req.Log)
	p := newPipeline(sel, red, o)
	buf := make([]byte, 256<<10)
	held := 0 // bytes of an incomplete line at the start of buf
	for off := int64(0); ; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(r, buf[held:])
		atEnd := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !atEnd {
			return readError(req.Log)
		}
		data := buf[:held+n]
		cut := bytes.LastIndexByte(data, '\n') + 1
		if atEnd || cut == 0 {
			cut = len(data) // the final line, or a piece of a huge one
		}
		stop, err := p.lines(off, data[:cut])
		if err != nil {
			return err
		}
		if stop || atEnd {
			break
		}
		held = copy(buf, data[cut:])
		off += int64(cut)
	}
	if err := p.flush(); err != nil {
		return err
	}
	return o.end(wire.End{})
}
