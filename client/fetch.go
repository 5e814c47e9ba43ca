package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/weblogctl/weblogctl/wire"
)

// CatOptions selects a byte range of a log; the zero value is all of it.
type CatOptions struct {
	Offset int64
	Length int64 // -1 or 0 with !HasLength: to the end
	// HasLength says Length was given.
	HasLength bool
}

// Cat copies the log's bytes in the range to w, checking that they arrive
// contiguous and that their count and SHA-256 match what the server says
// it sent. It returns the server's summary.
func (c *Client) Cat(ctx context.Context, log string, opt CatOptions, w io.Writer) (wire.End, error) {
	req := wire.Request{Verb: wire.VerbCat, Log: log, Offset: opt.Offset, Length: opt.Length, HasLength: opt.HasLength}
	h := sha256.New()
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
		case wire.FrameData:
			off, data, err := f.DataOffset()
			if err != nil {
				return err
			}
			if off != next {
				return fmt.Errorf("%w: data at offset %d, expected %d", ErrProtocol, off, next)
			}
			if _, err := w.Write(data); err != nil {
				return fmt.Errorf("write: %w", err)
			}
			h.Write(data)
			n += int64(len(data))
			next += int64(len(data))
		}
		return nil
	})
	if err != nil {
		return end, err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); end.Bytes != n || end.SHA256 != sum {
		return end, fmt.Errorf("verification failed: received %d bytes with SHA-256 %s, server sent %d bytes with %s", n, sum, end.Bytes, end.SHA256)
	}
	return end, nil
}

// FetchFile copies the whole log to path: into a temporary file beside it,
// synced and renamed into place only once the copy is verified, so path
// never holds a partial copy.
func (c *Client) FetchFile(ctx context.Context, log, path string) (wire.End, error) {
	var end wire.End
	err := writeAtomic(path, func(w io.Writer) error {
		var err error
		end, err = c.Cat(ctx, log, CatOptions{}, w)
		return err
	})
	if err != nil {
		return end, fmt.Errorf("fetch %s: %w", log, err)
	}
	return end, nil
}

// writeAtomic creates path with what fill writes: into a temporary file
// beside it, synced, and renamed into place only when fill succeeds.
func writeAtomic(path string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part-*")
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
		err = os.Rename(tmp.Name(), path)
	}
	return err
}
