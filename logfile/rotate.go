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

// finish reads cur to its end, delivers its unterminated last line if any,
// closes it, and moves on to the next file.
func (fl *follower) finish(ctx context.Context) error {
	for {
		more, err := fl.readCycle(ctx)
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if err := fl.s.flush(); err != nil {
		return err
	}
	st, err := fstat(fl.cur)
	if err != nil {
		return err
	}
	prev := fl.s.id
	fl.last.st, fl.last.id, fl.last.off = fl.st, prev, fl.s.off
	fl.closeCur()
	return fl.advance(ctx, prev, st.nlink == 0)
}

// advance opens what comes after the finished file prev: the siblings newer
// than it, if rotations went by while it was read (.gz ones are delivered
// at once, the first plain one becomes cur, to be finished like a renamed
// file), then the live file. deleted says that prev has no name left: it
// may have been compressed, or deleted for good.
func (fl *follower) advance(ctx context.Context, prev Identity, deleted bool) error {
	reason := ""
	for try := 1; ; try++ {
		sibs, live, liveOK, err := openSiblings(fl.src)
		if err != nil {
			return err
		}
		idx := locate(sibs, prev, deleted)
		if reason == "" {
			reason = ReasonRename
			if deleted && idx < 0 {
				reason = ReasonRecreate
			}
		}
		for ; idx > 0; idx-- {
			s := sibs[idx-1]
			if !s.gz {
				fl.setCur(s.take(), s.path, s.id, s.prefix, s.st, 0, false)
				// Late writers write within Grace of the rename, which set ctime.
				fl.rotatedAt = minTime(time.Now(), s.st.ctime)
				closeSiblings(sibs)
				return fl.emitOpen(s.id, 0, ReasonRename, s.path, false)
			}
			r, err := s.reader(0)
			if err == nil {
				err = fl.drain(ctx, s, r, 0, ReasonRename)
			}
			if err != nil {
				closeSiblings(sibs)
				return err
			}
			prev, deleted = s.id, false
		}
		closeSiblings(sibs)
		f, err := fl.src.Open(fl.path)
		if errors.Is(err, fs.ErrNotExist) {
			fl.cur, fl.waitReason = nil, reason
			return nil
		}
		if err != nil {
			return fmt.Errorf("logfile: reopen %s: %w", fl.path, err)
		}
		id, prefix, st, err := identify(f)
		if err != nil {
			f.Close()
			return err
		}
		if try < snapshotTries && (!liveOK || st.dev != live.dev || st.ino != live.ino) {
			// Rotated again since the siblings were listed: what was
			// live then may be a sibling now. Look again.
			f.Close()
			continue
		}
		fl.startLive(f, id, prefix, st, reason)
		return fl.emitOpen(fl.s.id, fl.s.off, reason, fl.path, false)
	}
}

// locate returns the index of the finished file prev among sibs, or -1:
// by inode, or for a compressed one by content.
func locate(sibs []*sibling, prev Identity, deleted bool) int {
	for i, s := range sibs {
		if !s.gz && prev.sameInode(s.st) && prev.matchesPrefix(s.prefix) {
			return i
		}
	}
	if deleted || prev.Dev == 0 && prev.Ino == 0 {
		for i, s := range sibs {
			if s.gz && s.holds(prev, 0, false) {
				return i
			}
		}
	}
	return -1
}

// openLive opens the file at the live path through src.Open and reads it
// from 0. If nothing is there yet, it waits for it (cur stays nil); if
// src.Open refuses what is there, that is the error.
func (fl *follower) openLive(reason string) error {
	f, err := fl.src.Open(fl.path)
	if errors.Is(err, fs.ErrNotExist) {
		fl.cur, fl.waitReason = nil, reason
		return nil
	}
	if err != nil {
		return fmt.Errorf("logfile: reopen %s: %w", fl.path, err)
	}
	id, prefix, st, err := identify(f)
	if err != nil {
		f.Close()
		return err
	}
	fl.startLive(f, id, prefix, st, reason)
	return fl.emitOpen(fl.s.id, fl.s.off, reason, fl.path, false)
}

// startLive makes f, just opened at the live path, cur, from 0 — or from
// where reading of it stopped, if it is the file just finished, renamed back.
func (fl *follower) startLive(f *os.File, id Identity, prefix []byte, st fileStat, reason string) {
	var off int64
	if fl.last.id.sameInode(st) && fl.last.id.matchesPrefix(prefix) {
		off = fl.last.off
	}
	fl.setCur(f, fl.path, id, prefix, st, off, true)
}

// truncated handles cur having been truncated in place (copytruncate): the
// content after the current position is looked for in the copy among the
// siblings (same fingerprint, at least as long) and delivered from it, then
// cur is read again from 0.
func (fl *follower) truncated(ctx context.Context) error {
	old, off := fl.s.id, fl.s.off
	sibs, _, _, err := openSiblings(fl.src)
	if err != nil {
		return err
	}
	defer closeSiblings(sibs)
	found := false
	for i, s := range sibs {
		if !s.gz && fl.s.id.sameInode(s.st) {
			continue // cur itself, renamed since
		}
		if !s.holds(old, fl.s.pos(), false) {
			continue
		}
		r, err := s.reader(off)
		if errors.Is(err, errShort) {
			continue
		}
		if err != nil {
			return err
		}
		// The copy holds the held partial line too, and maybe its end.
		if err := fl.drain(ctx, s, r, off, ReasonCopy); err != nil {
			return err
		}
		// Copies made by later truncations, if any went by.
		for j := i - 1; j >= 0 && !(!sibs[j].gz && fl.s.id.sameInode(sibs[j].st)); j-- {
			r, err := sibs[j].reader(0)
			if err != nil {
				return err
			}
			if err := fl.drain(ctx, sibs[j], r, 0, ReasonCopy); err != nil {
				return err
			}
		}
		found = true
		break
	}
	if !found {
		// What was read and held is genuine: deliver it as it is.
		if err := fl.s.flush(); err != nil {
			return err
		}
	}
	id, prefix, st, err := identify(fl.cur)
	if err != nil {
		return err
	}
	fl.st = st
	fl.prefix = append(fl.prefix[:0], prefix...)
	fl.s.reset(id, 0)
	return fl.emitOpen(id, 0, ReasonTruncate, fl.curPath, !found)
}

// drain delivers r, the content of sibling s from offset off, to its end:
// an EventOpen with reason, the lines, and the unterminated last line as a
// Partial piece.
func (fl *follower) drain(ctx context.Context, s *sibling, r io.Reader, off int64, reason string) error {
	if err := fl.emitOpen(s.id, off, reason, s.path, false); err != nil {
		return err
	}
	if fl.tmp == nil {
		fl.tmp = newStream(fl.opt.MaxLine, fl.emit)
	}
	t := fl.tmp
	t.reset(s.id, off)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		room, err := t.room()
		if err != nil {
			return err
		}
		k, rerr := r.Read(room)
		if k > 0 {
			if err := t.commit(k); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("logfile: read %s: %w", s.path, rerr)
		}
	}
	return t.flush()
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
