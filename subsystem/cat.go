package subsystem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/weblogctl/weblogctl/logfile"
	"github.com/weblogctl/weblogctl/wire"
)

// catChunk is how much of the file one read takes (and one data frame
// carries).
const catChunk = wire.MaxData

// cat answers the cat verb: the bytes of [offset, offset+length) as the
// file is when opened, clamped to its size. With --verify-prefix the end
// frame also carries the SHA-256 of [0, offset), so a client resuming a
// copy can check the part it already has.
func cat(ctx context.Context, ss *session, req wire.Request, o output) error {
	c, err := openContent(ss, req)
	if err != nil {
		return err
	}
	defer c.close()
	red := ss.redactor(req.Log)
	if red.Active() {
		return catRedacted(ctx, req, c, red, o)
	}
	start, end := req.Offset, int64(-1)
	if c.size >= 0 {
		start = min(start, c.size)
		end = c.size
	}
	if req.HasLength && (end < 0 || req.Length < end-start) {
		end = start + req.Length
	}
	var prefix string
	if req.VerifyPrefix {
		if prefix, err = c.prefixSum(start); err != nil {
			return readError(req.Log)
		}
	}
	if err := o.open(wire.Open{Log: req.Log, ID: c.id, Offset: start, Size: c.size, Reason: "start", File: c.name}); err != nil {
		return err
	}
	r, err := c.section(start, end)
	if err != nil {
		return readError(req.Log)
	}
	sum := newSummer()
	buf := make([]byte, catChunk)
	off := start
	for end < 0 || off < end {
		if err := ctx.Err(); err != nil {
			return err
		}
		want := int64(len(buf))
		if end >= 0 {
			want = min(want, end-off)
		}
		n, err := io.ReadFull(r, buf[:want])
		if n > 0 {
			sum.add(buf[:n])
			if werr := o.data(off, buf[:n]); werr != nil {
				return werr
			}
			off += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if end >= 0 && off < end {
				return wire.Errorf(wire.StatusIO, fmt.Sprintf("log %s: file shrank from %d to %d bytes while being read (truncated?)", req.Log, end, off))
			}
			break
		}
		if err != nil {
			return readError(req.Log)
		}
	}
	e := sum.end()
	e.PrefixSHA256 = prefix
	return o.end(e)
}

// readError reports a failure to read an open log without revealing its
// path; the detail belongs in the server-side audit log.
func readError(name string) *wire.Error {
	return wire.Errorf(wire.StatusIO, fmt.Sprintf("log %s: read error", name))
}

// identityOf returns the wire token of f's identity (PROTOCOL.md §4).
func identityOf(f *os.File) (string, error) {
	id, err := logfile.IdentityOf(f)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}
