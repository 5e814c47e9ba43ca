package logfile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Source says how to reach one named log and its rotated siblings.
type Source struct {
	// Path is the live path of the log.
	Path string
	// Open opens a path for reading, applying the caller's security policy
	// (O_NOFOLLOW, regular files only, …). Every open of the live path and
	// of a sibling goes through it, including reopens after a rotation. It
	// must return an error wrapping fs.ErrNotExist when nothing is there.
	// It must not be nil.
	Open func(path string) (*os.File, error)
	// Siblings lists the rotated siblings of Path (access.log.1,
	// access.log.2.gz, …), newest first; RotatedSiblings builds one. When
	// both X and X.gz exist (X being compressed), list X just before X.gz:
	// X is read and X.gz skipped. Nil
	// means the log has none: copies made by copytruncate cannot be found
	// and a cursor can only be resumed on the live file.
	Siblings func() ([]string, error)
}

// EventKind says what an Event reports.
type EventKind int

// The kinds of Event.
const (
	// EventOpen: from now on Data comes from file ID, starting at Offset.
	// Reason says why.
	EventOpen EventKind = iota + 1
	// EventData: Data holds the bytes of file ID from Offset on.
	EventData
)

// String returns "open" or "data".
func (k EventKind) String() string {
	switch k {
	case EventOpen:
		return "open"
	case EventData:
		return "data"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Reasons carried by EventOpen events.
const (
	// ReasonStart: the live file, at the start position Options.Lines chose.
	ReasonStart = "start"
	// ReasonResume: the file Options.Resume named, at the cursor's offset.
	ReasonResume = "resume"
	// ReasonRename: the next file, from 0, after the previous one was
	// renamed away (or, after a resume, a newer sibling or the live file).
	ReasonRename = "rename"
	// ReasonRecreate: the live file, from 0, after the previous one was
	// deleted.
	ReasonRecreate = "recreate"
	// ReasonCopy: the copy that copytruncate made of the file being read,
	// found among the siblings by fingerprint; Offset is where reading of
	// the truncated file had got to, and Data is the rest of the copy.
	ReasonCopy = "copy"
	// ReasonTruncate: the file being read was truncated in place; it is read
	// again from 0. Lost is set when no copy of the truncated content was
	// found, so the bytes after the previous position may be lost.
	ReasonTruncate = "truncate"
)

// Event is what Follow reports. See the package documentation for the
// order in which events come.
type Event struct {
	Kind EventKind
	// ID is the identity of the file the event is about. As a file grows
	// past the bytes its identity fingerprinted (FingerprintSize at most),
	// later events carry a longer fingerprint of the same file: keep the ID
	// of the latest event.
	ID Identity
	// Offset is, for EventOpen, where reading of ID starts; for EventData,
	// the offset of Data[0] in ID.
	Offset int64
	// Data holds whole lines, each ending in '\n', unless Partial is set.
	// It is only valid until emit returns.
	Data []byte
	// Partial is set on EventData when Data does not end with '\n': a piece
	// of a line longer than Options.MaxLine (exactly MaxLine bytes; the
	// rest of the line follows), or the unterminated last line of a file
	// that was rotated away, truncated, or read to its end as a sibling.
	Partial bool
	// Reason is, for EventOpen, one of the Reason constants.
	Reason string
	// Path is, for EventOpen, the path the file was opened by (the live
	// path or a sibling's).
	Path string
	// Lost is set on an EventOpen with ReasonTruncate when the copy of the
	// truncated content was not found: what was appended to it after the
	// previous event, up to the truncation, may be lost.
	Lost bool
}

// Cursor returns the position just after e: the cursor to resume from once
// e has been handled.
func (e Event) Cursor() Cursor {
	return Cursor{ID: e.ID, Offset: e.Offset + int64(len(e.Data))}
}

// Defaults for the zero values in Options.
const (
	DefaultGrace     = time.Second
	DefaultReconcile = time.Second
	DefaultMaxLine   = 1 << 20
)

// Options tunes Follow. The zero value follows from the current end of the
// live file with the defaults.
type Options struct {
	// Lines, when not resuming, starts with the last Lines lines of the
	// live file (a final line without '\n' counts, and is delivered once it
	// is completed). 0 starts at the current end: the size is taken before
	// Ready is called, so whatever is appended after Ready is delivered.
	// Negative starts at the beginning of the file.
	Lines int
	// Resume, when set, resumes after this cursor instead: its file is
	// looked for at the live path and among the siblings by identity (device
	// and inode and fingerprint, or fingerprint alone for a copy or a .gz);
	// the rest of it is delivered, then every newer file from 0 (newer
	// siblings, then the live file), then new data as it comes. If it is not
	// found, Follow returns an error wrapping ErrCursorNotFound before
	// calling Ready.
	Resume *Cursor
	// Grace is how long a file that was renamed or deleted is still read
	// for late writers (a server that has not reopened its log yet), counted
	// from when the follower noticed that the live path no longer names it;
	// the switch also waits for a new file to be at the path. Writes to the
	// old file after that are not delivered: Grace must cover the time from
	// the rename to the writer's reopen (for logrotate, its whole run up to
	// the postrotate signal). A sibling reached while catching up is read
	// until Grace after its last change (ctime). Zero means DefaultGrace;
	// negative means no grace.
	Grace time.Duration
	// Reconcile is the period of the backstop check that compares the open
	// file with what is at the live path (fstat against lstat) and reads
	// any data that inotify did not report. Zero means DefaultReconcile.
	Reconcile time.Duration
	// MaxLine bounds the bytes held for one line, newline included: a
	// longer line is delivered in Partial pieces of exactly MaxLine bytes,
	// its remainder with the lines after it. A line buffer starts at
	// min(64 KiB, MaxLine) and grows to MaxLine only for long lines; Follow
	// has at most two (the followed file's and a sibling's being read), so
	// its memory stays below 2×MaxLine plus a fixed amount (a gzip reader,
	// FingerprintSize bytes per sibling while siblings are searched). Zero
	// means DefaultMaxLine.
	MaxLine int
	// Ready, if set, is called once, before the first event, when the start
	// position is fixed: data appended from then on will be delivered.
	Ready func()
}

// Follow delivers the lines of the log src names to emit, from the start
// position opt chooses, and then as they are appended, through rotations,
// until ctx is done or emit returns an error. It watches the directory of
// src.Path with inotify (never polls for data), reads by file handle, and
// reopens only through src.Open. It returns ctx.Err() when ctx is done
// (promptly, even on an idle file), emit's error unchanged, or an error
// when the live file cannot be opened (at the start, or when what replaced
// it is refused by src.Open). emit is called on the caller's goroutine, one
// event at a time; while it blocks, nothing is read, so it should itself
// give up when ctx is done.
func Follow(ctx context.Context, src Source, opt Options, emit func(Event) error) error {
	if src.Path == "" {
		return errors.New("logfile: follow: empty path")
	}
	if src.Open == nil {
		return errors.New("logfile: follow: Source.Open is nil")
	}
	if emit == nil {
		return errors.New("logfile: follow: nil emit")
	}
	opt = opt.withDefaults()
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("logfile: follow %s: %w", src.Path, err)
	}
	defer w.Close()
	fl := &follower{
		src:   src,
		opt:   opt,
		emit:  emit,
		path:  filepath.Clean(src.Path),
		w:     w,
		fpbuf: make([]byte, FingerprintSize),
	}
	fl.s = newStream(opt.MaxLine, emit)
	defer fl.closeCur()
	// Watch before taking the start position, so nothing after it is missed.
	if err := fl.watch(); err != nil {
		return err
	}
	var first func(context.Context) error
	if opt.Resume != nil {
		first, err = fl.resume(*opt.Resume)
	} else {
		first, err = fl.start()
	}
	if err != nil {
		return err
	}
	if opt.Ready != nil {
		opt.Ready()
	}
	if err := first(ctx); err != nil {
		return err
	}
	return fl.run(ctx)
}

func (o Options) withDefaults() Options {
	if o.Grace == 0 {
		o.Grace = DefaultGrace
	} else if o.Grace < 0 {
		o.Grace = 0
	}
	if o.Reconcile <= 0 {
		o.Reconcile = DefaultReconcile
	}
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	return o
}

// follower is the state of one Follow.
type follower struct {
	src  Source
	opt  Options
	emit func(Event) error
	path string // cleaned src.Path
	w    *fsnotify.Watcher

	// cur is the file being read, nil while waiting for a file to appear
	// at the live path (then waitReason is the Reason to report).
	cur        *os.File
	curPath    string
	st         fileStat // cur's device and inode
	prefix     []byte   // cur's first s.id.FPLen bytes
	s          *stream  // cur's identity, position and held partial line
	live       bool     // cur is what the live path names
	rotatedAt  time.Time
	pathGone   bool // when cur is not live: nothing (statable) is at the path
	waitReason string
	// last is the file finished most recently, so that a live path that
	// turns out to name it again is not read twice.
	last struct {
		st  fileStat
		id  Identity
		off int64
	}

	dirInfo os.FileInfo // the watched directory

	fpbuf []byte  // scratch for fingerprints
	tmp   *stream // for siblings read to their end
}

// watch watches the directory of the live path.
func (fl *follower) watch() error {
	dir := filepath.Dir(fl.path)
	st, err := os.Stat(dir)
	if err == nil {
		err = fl.w.Add(dir)
	}
	if err != nil {
		return fmt.Errorf("logfile: watch %s: %w", dir, err)
	}
	fl.dirInfo = st
	return nil
}

// start opens the live file and fixes the start position.
func (fl *follower) start() (func(context.Context) error, error) {
	f, err := fl.src.Open(fl.path)
	if err != nil {
		return nil, fmt.Errorf("logfile: open %s: %w", fl.path, err)
	}
	id, prefix, st, err := identify(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	off := st.size
	switch {
	case fl.opt.Lines < 0:
		off = 0
	case fl.opt.Lines > 0:
		if off, err = tailAt(f, st.size, fl.opt.Lines); err != nil {
			f.Close()
			return nil, fmt.Errorf("logfile: %s: %w", fl.path, err)
		}
	}
	fl.setCur(f, fl.path, id, prefix, st, off, true)
	return func(context.Context) error {
		return fl.emitOpen(id, off, ReasonStart, fl.path, false)
	}, nil
}

// setCur makes f, whose identity is id, the file being read, from off.
func (fl *follower) setCur(f *os.File, path string, id Identity, prefix []byte, st fileStat, off int64, live bool) {
	fl.cur, fl.curPath, fl.st, fl.live = f, path, st, live
	fl.prefix = append(fl.prefix[:0], prefix[:id.FPLen]...)
	fl.s.reset(id, off)
	fl.rotatedAt, fl.pathGone = time.Time{}, false
	fl.waitReason = ""
}

func (fl *follower) closeCur() {
	if fl.cur != nil {
		fl.cur.Close()
		fl.cur = nil
	}
}

func (fl *follower) emitOpen(id Identity, off int64, reason, path string, lost bool) error {
	return fl.emit(Event{Kind: EventOpen, ID: id, Offset: off, Reason: reason, Path: path, Lost: lost})
}

// maxReadsPerCycle bounds how much is read before events are looked at again.
const maxReadsPerCycle = 16

// run is the event loop: read on inotify events, check the live path on
// directory events, on the reconcile tick and when a grace period ends.
func (fl *follower) run(ctx context.Context) error {
	tick := time.NewTicker(fl.opt.Reconcile)
	defer tick.Stop()
	grace := time.NewTimer(time.Hour)
	grace.Stop()
	defer grace.Stop()
	dir := filepath.Dir(fl.path)
	read, check := true, true
	handle := func(ev fsnotify.Event) {
		switch {
		case filepath.Clean(ev.Name) != fl.path:
			// A renamed file being finished gets its late writes
			// under its new name.
			read = read || (fl.cur != nil && !fl.live)
		case ev.Has(fsnotify.Write):
			read = true
		default: // created, removed, renamed, unlinked (chmod)
			check = true
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		more := false
		if read && fl.cur != nil {
			var err error
			if more, err = fl.readCycle(ctx); err != nil {
				return err
			}
		}
		read = more
		if check {
			before := fl.cur
			if err := fl.checkPath(ctx); err != nil {
				return err
			}
			// After a switch, look at the new file at once: it may be a
			// sibling whose grace period is already over.
			check = fl.cur != before
			read = true
			continue
		}
		var graceC <-chan time.Time
		if fl.cur != nil && !fl.live && !fl.pathGone {
			// Another file is at the path: switch when the grace period
			// is over, however busy the loop was meanwhile.
			d := time.Until(fl.rotatedAt.Add(fl.opt.Grace))
			if d <= 0 {
				check = true
				continue
			}
			grace.Reset(d)
			graceC = grace.C
		}
		if more {
			// Stopped reading to look at events; read on right after.
			if err := fl.drainEvents(handle); err != nil {
				return err
			}
			read = true
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-fl.w.Events:
			if !ok {
				return fmt.Errorf("logfile: watch %s: watcher closed", dir)
			}
			handle(ev)
			// Take whatever else is queued before reading once.
			if err := fl.drainEvents(handle); err != nil {
				return err
			}
		case _, ok := <-fl.w.Errors:
			if !ok {
				return fmt.Errorf("logfile: watch %s: watcher closed", dir)
			}
			// Overflow or a read error: events may be missing; look.
			read, check = true, true
		case <-tick.C:
			read, check = true, true
			if st, err := os.Stat(dir); err == nil && (len(fl.w.WatchList()) == 0 || !os.SameFile(st, fl.dirInfo)) {
				// The directory was moved or replaced: watch what is at
				// its path now.
				_ = fl.w.Remove(dir)
				_ = fl.watch()
			}
		case <-graceC:
			read, check = true, true
		}
	}
}

// drainEvents hands every event already queued to handle, without waiting.
func (fl *follower) drainEvents(handle func(fsnotify.Event)) error {
	for {
		select {
		case ev, ok := <-fl.w.Events:
			if !ok {
				return fmt.Errorf("logfile: watch %s: watcher closed", filepath.Dir(fl.path))
			}
			handle(ev)
		default:
			return nil
		}
	}
}

// readCycle reads cur from the current position towards its end and
// delivers the lines. more reports that it stopped before the end.
func (fl *follower) readCycle(ctx context.Context) (more bool, err error) {
	for range maxReadsPerCycle {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		room, err := fl.s.room()
		if err != nil {
			return false, err
		}
		pos := fl.s.pos()
		k, err := fl.cur.ReadAt(room, pos)
		if err != nil && err != io.EOF {
			return false, fmt.Errorf("logfile: read %s: %w", fl.curPath, err)
		}
		if k == 0 {
			st, err := fstat(fl.cur)
			if err != nil {
				return false, err
			}
			if st.size < pos {
				return true, fl.truncated(ctx)
			}
			return false, nil
		}
		ok, err := fl.verify()
		if err != nil {
			return false, err
		}
		if !ok { // truncated, and already written again
			return true, fl.truncated(ctx)
		}
		if err := fl.s.commit(k); err != nil {
			return false, err
		}
		if k < len(room) {
			return false, nil
		}
	}
	return true, nil
}

// verify reports whether cur still starts with the bytes it started with
// (after a read: whatever was read came from the same content), and
// lengthens the fingerprint while the file is shorter than FingerprintSize.
func (fl *follower) verify() (bool, error) {
	id := &fl.s.id
	want := id.FPLen
	if want < FingerprintSize {
		want = FingerprintSize
	}
	k, err := fl.cur.ReadAt(fl.fpbuf[:want], 0)
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("logfile: read %s: %w", fl.curPath, err)
	}
	if k < id.FPLen || !bytes.Equal(fl.fpbuf[:id.FPLen], fl.prefix) {
		return false, nil
	}
	if k > id.FPLen {
		fl.prefix = append(fl.prefix[:0], fl.fpbuf[:k]...)
		id.FPLen = k
		id.FP = sha256.Sum256(fl.prefix)
	}
	return true, nil
}

// checkPath compares cur with what the live path names now, and switches
// to the next file once cur was rotated away and its grace period is over.
func (fl *follower) checkPath(ctx context.Context) error {
	if fl.cur == nil {
		return fl.openLive(fl.waitReason)
	}
	pst, err := lstat(fl.path)
	fl.pathGone = err != nil
	if err == nil && pst.dev == fl.st.dev && pst.ino == fl.st.ino {
		fl.live, fl.rotatedAt = true, time.Time{}
		return nil
	}
	if fl.live {
		fl.live, fl.rotatedAt = false, time.Now()
	}
	if err != nil || time.Now().Before(fl.rotatedAt.Add(fl.opt.Grace)) {
		// Nothing new at the path yet (keep reading cur), or late writers
		// may still be writing to cur.
		return nil
	}
	return fl.finish(ctx)
}
