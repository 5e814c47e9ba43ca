package logfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// resume finds the file of cursor c and positions the follower at c's
// offset in it. The returned function, run after Ready, delivers from there.
//
// The file is looked for, in this order: the live file by device, inode
// and fingerprint; a sibling by device, inode and fingerprint; a sibling by
// fingerprint alone (a copy left by copytruncate, or a compressed sibling);
// the live file by fingerprint alone. Each must hold at least c.Offset bytes.
func (fl *follower) resume(c Cursor) (func(context.Context) error, error) {
	if c.Offset < 0 {
		return nil, fmt.Errorf("%w: negative offset in %s", ErrCursorNotFound, c)
	}
	lf, err := fl.src.Open(fl.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("logfile: open %s: %w", fl.path, err)
	}
	var (
		liveID     Identity
		livePrefix []byte
		liveStat   fileStat
	)
	if lf != nil {
		if liveID, livePrefix, liveStat, err = identify(lf); err != nil {
			lf.Close()
			return nil, err
		}
		if c.ID.sameInode(liveStat) && c.ID.matchesPrefix(livePrefix) && liveStat.size >= c.Offset {
			return fl.resumeLive(lf, liveID, livePrefix, liveStat, c.Offset), nil
		}
	}

	sibs, _, _, err := openSiblings(fl.src)
	if err != nil {
		if lf != nil {
			lf.Close()
		}
		return nil, err
	}
	idx, r := -1, io.Reader(nil)
	for _, byInode := range []bool{true, false} {
		for i, s := range sibs {
			if !s.holds(c.ID, c.Offset, byInode) {
				continue
			}
			if s.gz {
				if r, err = s.reader(c.Offset); errors.Is(err, errShort) {
					continue
				} else if err != nil {
					closeSiblings(sibs)
					if lf != nil {
						lf.Close()
					}
					return nil, err
				}
			}
			idx = i
			break
		}
		if idx >= 0 {
			break
		}
	}
	if idx < 0 {
		closeSiblings(sibs)
		if lf != nil && c.ID.FPLen > 0 && c.ID.matchesPrefix(livePrefix) && liveStat.size >= c.Offset {
			return fl.resumeLive(lf, liveID, livePrefix, liveStat, c.Offset), nil
		}
		if lf != nil {
			lf.Close()
		}
		return nil, fmt.Errorf("%w: no file at %s or among its siblings holds %s", ErrCursorNotFound, fl.path, c)
	}
	if lf != nil {
		lf.Close()
	}

	s := sibs[idx]
	if s.gz {
		return func(ctx context.Context) error {
			err := fl.drain(ctx, s, r, c.Offset, ReasonResume)
			closeSiblings(sibs)
			if err != nil {
				return err
			}
			return fl.advance(ctx, s.id, false)
		}, nil
	}
	// A plain sibling is finished like a renamed file: after its grace
	// period, the follower moves on to the newer siblings and the live file.
	fl.setCur(s.take(), s.path, s.id, s.prefix, s.st, c.Offset, false)
	fl.rotatedAt = minTime(time.Now(), s.st.ctime)
	closeSiblings(sibs)
	return func(context.Context) error {
		return fl.emitOpen(s.id, c.Offset, ReasonResume, s.path, false)
	}, nil
}

func (fl *follower) resumeLive(f *os.File, id Identity, prefix []byte, st fileStat, off int64) func(context.Context) error {
	fl.setCur(f, fl.path, id, prefix, st, off, true)
	return func(context.Context) error {
		return fl.emitOpen(id, off, ReasonResume, fl.path, false)
	}
}
