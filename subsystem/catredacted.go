package subsystem

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/weblogctl/weblogctl/redact"
	"github.com/weblogctl/weblogctl/wire"
)

// catRedacted answers cat when redaction is on. The answer is the
// redacted log: offsets, length, the SHA-256 and --verify-prefix all refer
// to that redacted stream, not to the file, so a client can copy and
// resume it like any file. Reaching --offset means redacting everything
// before it. A line longer than the 256 KiB read buffer is redacted in
// pieces.
func catRedacted(ctx context.Context, req wire.Request, c *content, red *redact.Redactor, o output) error {
	r, err := c.section(0, c.size)
	if err != nil {
		return readError(req.Log)
	}
	start, end := req.Offset, int64(-1)
	if req.HasLength {
		end = start + req.Length
	}
	if err := o.open(wire.Open{Log: req.Log, ID: c.id, Offset: start, Size: -1, Reason: "start", File: c.name}); err != nil {
		return err
	}
	br := bufio.NewReaderSize(r, catChunk)
	prefix, sum := newSummer(), newSummer()
	buf := make([]byte, 0, wire.MaxData)
	var tmp []byte
	var pos int64 // redacted-stream offset of the current line
	next := start // redacted-stream offset of the next byte sent
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := o.data(next-int64(len(buf)), buf)
		buf = buf[:0]
		return err
	}
	send := func(b []byte) error {
		sum.add(b)
		if len(buf)+len(b) > cap(buf) {
			if err := flush(); err != nil {
				return err
			}
		}
		var err error
		if len(b) > cap(buf) {
			err = o.data(next, b) // the output splits it
		} else {
			buf = append(buf, b...)
		}
		next += int64(len(b))
		return err
	}
	for end < 0 || pos < end {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, rerr := br.ReadSlice('\n')
		if rerr != nil && !errors.Is(rerr, bufio.ErrBufferFull) && !errors.Is(rerr, io.EOF) {
			return readError(req.Log)
		}
		if len(line) > 0 {
			tmp = red.Line(tmp[:0], line)
			n := int64(len(tmp))
			lo, hi := min(max(start-pos, 0), n), n
			if end >= 0 {
				hi = max(min(hi, end-pos), lo)
			}
			if req.VerifyPrefix {
				prefix.add(tmp[:lo])
			}
			if lo < hi {
				if err := send(tmp[lo:hi]); err != nil {
					return err
				}
			}
			pos += n
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
	}
	if err := flush(); err != nil {
		return err
	}
	e := sum.end()
	if req.VerifyPrefix {
		e.PrefixSHA256 = prefix.end().SHA256
	}
	return o.end(e)
}
