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
func filter(ctx context.Context, cfg *Config, req wire.Request, o output) error {
	if req.Follow {
		return follow(ctx, cfg, req, o)
	}
	_, f, err := openLog(cfg, req.Log)
	if err != nil {
		return err
	}
	defer f.Close()
	sel, err := newSelector(req.Filter, f, time.Now())
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		return unavailable(req.Log)
	}
	id, err := identityOf(f)
	if err != nil {
		return readError(req.Log)
	}
	size := st.Size()
	if err := o.open(wire.Open{Log: req.Log, ID: id, Size: size, Reason: "start"}); err != nil {
		return err
	}
	b := newBatcher(o)
	buf := make([]byte, 256<<10)
	held := 0 // bytes of an incomplete line at the start of buf
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := f.ReadAt(buf[held:min(int64(len(buf)), int64(held)+size-off)], off+int64(held))
		if err != nil && !errors.Is(err, io.EOF) {
			return readError(req.Log)
		}
		if n == 0 {
			break // the file shrank: answer what was there
		}
		data := buf[:held+n]
		cut := bytes.LastIndexByte(data, '\n') + 1
		atEnd := off+int64(len(data)) >= size
		if atEnd || cut == 0 {
			cut = len(data) // the final line, or a piece of a huge one
		}
		stop, err := selectLines(sel, b, off, data[:cut])
		if err != nil {
			return err
		}
		if stop {
			break
		}
		held = copy(buf, data[cut:])
		off += int64(cut)
	}
	if err := b.flush(); err != nil {
		return err
	}
	return o.end(wire.End{})
}
