package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/weblogctl/weblogctl/wire"
)

// Parallel fetch: one SSH channel carries at most its window (2 MiB in
// x/crypto) per round trip, about 40 MB/s at 50 ms; on a long link a fetch
// asks for several byte ranges at once, each on its own channel.
const (
	longRTT         = 20 * time.Millisecond // from here on, fetch in parallel
	minParallelSize = 32 << 20              // smaller files gain nothing
	autoParallel    = 4                     // ranges at once when automatic
	maxParallel     = 16
)

// WithParallel sets how many byte ranges FetchFile copies at once: 0 (the
// default) decides from the link (4 when its round trip is 20 ms or more
// and the log is 32 MiB or more), 1 turns parallel fetching off.
func WithParallel(n int) Option {
	return func(c *Client) { c.parallel = min(max(n, 0), maxParallel) }
}

// wantRanges reports whether a fetch may go in parallel, before the
// log's size is known: asked for, or automatic on a long link.
func (c *Client) wantRanges(ctx context.Context) bool {
	return c.parallel > 1 || c.parallel == 0 && c.linkRTT(ctx) >= longRTT
}

// ranges returns how many ranges to fetch a log of size bytes in.
func (c *Client) ranges(size int64) int {
	switch {
	case c.parallel > 0:
		return c.parallel
	case size < minParallelSize:
		return 1
	}
	return autoParallel
}

// fetchRanges copies [0, size) of the log into f in n ranges at once.
// Each range is verified by its own SHA-256, and every range must come
// from the file id names (device and inode), or the copy fails.
func (c *Client) fetchRanges(ctx context.Context, log, id string, size int64, n int, f *os.File) (wire.End, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	file := fileOf(id)
	var wg sync.WaitGroup
	var total sync.Map
	step := (size + int64(n) - 1) / int64(n)
	for lo := int64(0); lo < size; lo += step {
		hi := min(lo+step, size)
		wg.Add(1)
		go func() {
			defer wg.Done()
			opt := CatOptions{Offset: lo, Length: hi - lo, HasLength: true, onOpen: func(o wire.Open) error {
				if fileOf(o.ID) != file {
					return errors.New("the log was replaced during the copy (rotated?)")
				}
				return nil
			}}
			end, err := c.Cat(ctx, log, opt, io.NewOffsetWriter(f, lo))
			if err == nil && end.Bytes != hi-lo {
				err = fmt.Errorf("range [%d, %d): %d bytes arrived (the log shrank?)", lo, hi, end.Bytes)
			}
			if err != nil {
				cancel(err)
				return
			}
			total.Store(lo, end.Bytes)
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return wire.End{}, err
	}
	var e wire.End
	total.Range(func(_, v any) bool { e.Bytes += v.(int64); return true })
	return e, nil
}

// fileOf returns the DEV:INO part of an identity token (PROTOCOL.md §4).
func fileOf(id string) string {
	parts := strings.SplitN(id, ":", 3)
	if len(parts) < 3 {
		return id
	}
	return parts[0] + ":" + parts[1]
}
