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
// file is when opened, clamped to its size.
func cat(ctx context.Context, cfg *Config, req wire.Request, o output) error {
	_, f, err := openLog(cfg, req.Log)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return unavailable(req.Log)
	}
	id, err := identityOf(f)
	if err != nil {
		return readError(req.Log)
	}
	size := st.Size()
	start := min(req.Offset, size)
	end := size
	if req.HasLength && req.Length < end-start {
		end = start + req.Length
	}
	if err := o.open(wire.Open{Log: req.Log, ID: id, Offset: start, Size: size, Reason: "start"}); err != nil {
		return err
	}
	sum := newSummer()
	buf := make([]byte, catChunk)
	for off := start; off < end; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := f.ReadAt(buf[:min(int64(len(buf)), end-off)], off)
		if n > 0 {
			sum.add(buf[:n])
			if werr := o.data(off, buf[:n]); werr != nil {
				return werr
			}
			off += int64(n)
		}
		if errors.Is(err, io.EOF) && off < end {
			return wire.Errorf(wire.StatusIO, fmt.Sprintf("log %s: file shrank from %d to %d bytes while being read (truncated?)", req.Log, end, off))
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return readError(req.Log)
		}
	}
	return o.end(sum.end())
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
