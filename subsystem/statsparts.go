package subsystem

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/weblogctl/weblogctl/tally"
)

// A large plain log is counted in parts, one goroutine each, and the
// parts' tables are joined in file order by tally.Table.Continue, which
// gives exactly the table of one pass, caps included. Parsing is what
// stats spends its time on, and it is independent line by line once the
// format is known.
const maxParts = 4

// partBytes is the least length of a part (a variable for the tests).
var partBytes int64 = 16 << 20

// countParts counts c with a's request in parts, in parallel, when that
// is the same as one pass and worth it: a plain (not compressed) log of at
// least two parts' length, a known format, no redaction (a redactor learns
// from the lines it sees) and no --until-path (it stops at a line). Else
// it counts c in one pass with a. The later parts' tables have one n-th
// of the room each (tally.NewPart), so that counting in parts takes at
// most twice the memory of one pass, not n times; it returns
// tally.ErrOrder when a later part filled its table: the caller counts
// again in one pass.
func countParts(ctx context.Context, a *aggregator, c *content) (*tally.Table, error) {
	n := min(maxParts, runtime.GOMAXPROCS(0), int(c.size/partBytes))
	if c.gz || n < 2 || a.red != nil || a.spec.UntilPath != "" || a.format.IsZero() {
		return countAll(ctx, a, c)
	}
	starts, err := lineStarts(c.f, c.size, n)
	if err != nil {
		return nil, errRead
	}
	parts := make([]*aggregator, len(starts)-1)
	parts[0] = a
	for i := 1; i < len(parts); i++ {
		if parts[i], err = a.fork(len(parts)); err != nil {
			return nil, err
		}
	}
	pctx, cancel := context.WithCancel(ctx) // one part failing stops the others
	defer cancel()
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.section(starts[i], starts[i+1])
			if err == nil {
				err = p.read(pctx, r)
			}
			if err != nil {
				errs[i] = err
				cancel()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		if errors.Is(err, errRead) {
			return nil, errRead
		}
		if ctx.Err() != nil {
			return nil, ctx.Err() // the request's end, as one pass says it
		}
		return nil, err
	}
	t := a.t
	for _, p := range parts[1:] {
		if err := t.Continue(p.t); err != nil {
			a.t = tally.New(t.Keys(), t.MaxGroups()) // for the pass again
			return nil, err
		}
	}
	return t, nil
}

// lineStarts cuts the first size bytes of r into at most n parts of about
// equal length, each starting at the beginning of a line. It returns the
// parts' start offsets followed by size: 0, then for each later part the
// offset just after the first newline from the byte before its nominal
// start on (so a part starts at its nominal start when a line ends just
// before it). A line is never cut; parts that would be empty are left out.
func lineStarts(r io.ReaderAt, size int64, n int) ([]int64, error) {
	starts := []int64{0}
	buf := make([]byte, 64<<10)
	for i := 1; i < n; i++ {
		pos := size*int64(i)/int64(n) - 1
		pos = max(pos, starts[len(starts)-1])
		next := int64(-1)
		for next < 0 && pos < size {
			m, err := r.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
			if k := bytes.IndexByte(buf[:m], '\n'); k >= 0 {
				next = pos + int64(k) + 1
				break
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			if m == 0 {
				break // the file is shorter than size
			}
			pos += int64(m)
		}
		if next < 0 || next >= size {
			break // the rest is one line: it is in the last part
		}
		if next > starts[len(starts)-1] {
			starts = append(starts, next)
		}
	}
	return append(starts, size), nil
}
