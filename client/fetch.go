package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/weblogctl/weblogctl/wire"
)

// CatOptions selects a byte range of a log; the zero value is all of it.
type CatOptions struct {
	Offset int64
	Length int64 // meaningful when HasLength
	// HasLength says Length was given.
	HasLength bool
	// Rotated selects the Nth newest rotated file instead of the live one
	// (see LogInfo.Rotated); compressed files arrive decompressed.
	Rotated int
	// VerifyPrefix asks the server for the SHA-256 of [0, Offset), in
	// the returned End's PrefixSHA256.
	VerifyPrefix bool

	onOpen func(wire.Open) error // checks the file the bytes come from
}

// Cat copies the log's bytes in the range to w, checking that they arrive
// contiguous and that their count and SHA-256 match what the server says
// it sent. It returns the server's summary.
func (c *Client) Cat(ctx context.Context, log string, opt CatOptions, w io.Writer) (wire.End, error) {
	req := wire.Request{Verb: wire.VerbCat, Log: log, Offset: opt.Offset, Length: opt.Length, HasLength: opt.HasLength,
		Rotated: opt.Rotated, VerifyPrefix: opt.VerifyPrefix, Compress: c.compressionFor()}
	h := newOverlapHash()
	stopped := false
	defer func() {
		if !stopped {
			h.stop()
		}
	}()
	var n int64
	next := int64(-1)
	end, err := c.request(ctx, req, 0, func(f wire.Frame) error {
		switch f.Type {
		case wire.FrameOpen:
			var o wire.Open
			if err := f.Decode(&o); err != nil {
				return err
			}
			next = o.Offset
			if c.copyStart != nil && !opt.HasLength { // a byte range is part of a copy that started already
				c.copyStart(o.Offset, o.Size)
			}
			if opt.onOpen != nil {
				return opt.onOpen(o)
			}
		case wire.FrameData:
			off, data, err := f.DataOffset()
			if err != nil {
				return err
			}
			if off != next {
				return fmt.Errorf("%w: data at offset %d, expected %d", ErrProtocol, off, next)
			}
			h.start(data)
			_, err = w.Write(data)
			h.wait()
			if err != nil {
				return fmt.Errorf("write: %w", err)
			}
			if c.progress != nil {
				c.progress(len(data))
			}
			n += int64(len(data))
			next += int64(len(data))
		}
		return nil
	})
	if err != nil {
		return end, err
	}
	stopped = true
	if sum := hex.EncodeToString(h.sum()); end.Bytes != n || end.SHA256 != sum {
		return end, fmt.Errorf("verification failed: received %d bytes with SHA-256 %s, server sent %d bytes with %s", n, sum, end.Bytes, end.SHA256)
	}
	return end, nil
}

// FetchFile copies the whole log to path. It writes into a partial file
// beside it (.NAME.part), synced and renamed into place only once the copy
// is verified, so path never holds a partial copy. A partial file left by
// an interrupted FetchFile is resumed: the server checks that its bytes
// are still the log's first bytes (SHA-256), and the rest is appended;
// otherwise the copy starts again from the beginning. A symbolic link,
// a device or a FIFO at path is handled like cp does (see outfile.go):
// a device or FIFO is written straight into, with no partial file.
func (c *Client) FetchFile(ctx context.Context, log, path string) (wire.End, error) {
	out, err := resolveOutput(path)
	if err != nil {
		return wire.End{}, fmt.Errorf("fetch %s: %w", log, err)
	}
	var end wire.End
	part := partPath(out.path)
	if out.direct {
		err = writeDirect(ctx, out.path, func(w io.Writer) (err error) {
			end, err = c.Cat(ctx, log, CatOptions{}, w)
			return err
		})
	} else {
		end, err = c.fetchPart(ctx, log, part)
		if errors.Is(err, errPrefixChanged) {
			end, err = c.fetchPart(ctx, log, part) // the part was removed: from 0
		}
		if err == nil {
			err = os.Rename(part, out.path)
		}
	}
	if err != nil {
		err = fmt.Errorf("fetch %s: %w", log, err)
		if st, serr := os.Stat(part); !out.direct && serr == nil && st.Size() > 0 {
			err = &PartialError{Part: part, Bytes: st.Size(), Err: err}
		}
		return end, err
	}
	return end, nil
}

// PartialError is the error of a FetchFile that failed or was
// interrupted and kept its partial copy: running it again resumes from
// Bytes once the server confirms that the part is unchanged.
type PartialError struct {
	Part  string // the partial file, beside the destination
	Bytes int64  // its size
	Err   error
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// partPath is the partial file FetchFile writes beside path.
func partPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".part")
}

var errPrefixChanged = errors.New("the partial copy no longer matches the log")

// fetchPart completes the partial copy at part. On a mismatch it removes
// part and returns errPrefixChanged.
func (c *Client) fetchPart(ctx context.Context, log, part string) (wire.End, error) {
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return wire.End{}, err
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return wire.End{}, err
	}
	if have == 0 && c.wantRanges(ctx) {
		if info, err := c.Stat(ctx, log); err == nil {
			if n := c.ranges(info.Size); n > 1 {
				if c.copyStart != nil {
					c.copyStart(0, info.Size)
				}
				end, err := c.fetchRanges(ctx, log, info.ID, info.Size, n, f)
				if err != nil {
					// Holes may remain: start again next time.
					f.Close()
					os.Remove(part)
					return end, err
				}
				return end, f.Sync()
			}
		}
	}
	end, err := c.Cat(ctx, log, CatOptions{Offset: have, VerifyPrefix: have > 0}, &syncBehind{f: f, off: have, started: have})
	if err != nil {
		if st, serr := f.Stat(); serr == nil && st.Size() == 0 {
			os.Remove(part) // nothing worth resuming
		}
		return end, err
	}
	if have > 0 {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, have)); err != nil {
			return end, err
		}
		if hex.EncodeToString(h.Sum(nil)) != end.PrefixSHA256 {
			f.Close()
			os.Remove(part)
			return end, errPrefixChanged
		}
	}
	return end, f.Sync()
}

// syncBehindChunk is how much written data syncBehind lets accumulate
// before it starts writing it back.
const syncBehindChunk = 8 << 20

// syncBehind writes to f, and every syncBehindChunk bytes starts the
// kernel's writeback of them: the fsync that ends a fetch -o then waits
// for the last few megabytes instead of the whole copy (on the bench
// machine, an fsync of 100 MB just written takes 0.25–0.4 s, as long as
// the copy itself).
type syncBehind struct {
	f            *os.File
	off, started int64 // file offset written up to; writeback started up to
}

func (s *syncBehind) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	s.off += int64(n)
	if s.off-s.started >= syncBehindChunk {
		startWriteback(s.f, s.started, s.off-s.started)
		s.started = s.off
	}
	return n, err
}

// FetchHistory copies the log's rotated files, oldest first (decompressed),
// then the live file, to w: the log's whole history in order.
func (c *Client) FetchHistory(ctx context.Context, log string, w io.Writer) error {
	info, err := c.logInfo(ctx, log)
	if err != nil {
		return err
	}
	for n := len(info.Rotated); n >= 1; n-- {
		if _, err := c.Cat(ctx, log, CatOptions{Rotated: n}, w); err != nil {
			return fmt.Errorf("rotated file %s: %w", wire.Sanitize(info.Rotated[n-1].File), err)
		}
	}
	_, err = c.Cat(ctx, log, CatOptions{}, w)
	return err
}

// FetchHistoryFile is FetchHistory into the file at path, written beside
// it and renamed into place only when complete.
func (c *Client) FetchHistoryFile(ctx context.Context, log, path string) error {
	return writeAtomic(ctx, path, func(w io.Writer) error { return c.FetchHistory(ctx, log, w) })
}

// logInfo returns the listing entry of log.
func (c *Client) logInfo(ctx context.Context, log string) (wire.LogInfo, error) {
	logs, err := c.List(ctx)
	if err != nil {
		return wire.LogInfo{}, err
	}
	for _, l := range logs {
		if l.Name == log {
			return l, nil
		}
	}
	return wire.LogInfo{}, &wire.Error{Status: wire.StatusUnavailable, Message: fmt.Sprintf("log %q: no such log, or not allowed", log)}
}

// writeAtomic creates or replaces path with what fill writes: into a
// temporary file beside it, synced, and renamed into place only when fill
// succeeds. A symbolic link, a device or a FIFO at path is handled like
// FetchFile does.
func writeAtomic(ctx context.Context, path string, fill func(io.Writer) error) error {
	out, err := resolveOutput(path)
	if err != nil {
		return err
	}
	if out.direct {
		return writeDirect(ctx, out.path, fill)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out.path), "."+filepath.Base(out.path)+".part-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	err = fill(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out.path)
	}
	return err
}
