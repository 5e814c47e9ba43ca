//go:build unix

package logfile

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// errNotRegular is what safeOpen refuses non-regular files with.
var errNotRegular = errors.New("not a regular file")

// safeOpen opens the way a policy's Source.Open does: no symlink, no
// blocking on a FIFO, regular files only, checked on the open handle.
func safeOpen(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", path, errNotRegular)
	}
	return f, nil
}

func source(path string) Source {
	return Source{Path: path, Open: safeOpen, Siblings: RotatedSiblings(path)}
}

// mkLine is numbered line n, of varying length.
func mkLine(n int) string {
	return fmt.Sprintf("%07d %s\n", n, strings.Repeat("x", n%53))
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t testing.TB, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

// writer is a program writing a log, and the logrotate that rotates it.
type writer struct {
	t    testing.TB
	path string
	f    *os.File
	next int // number of the next line
}

func newWriter(t testing.TB, path string, next int) *writer {
	w := &writer{t: t, path: path, next: next}
	w.reopen()
	return w
}

func (w *writer) reopen() {
	w.t.Helper()
	if w.f != nil {
		w.f.Close()
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		w.t.Fatal(err)
	}
	w.f = f
}

func (w *writer) close() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
}

// lines writes the next n lines; every 7th in two writes, so that the
// follower sees partial lines.
func (w *writer) lines(n int) {
	w.t.Helper()
	for range n {
		l := mkLine(w.next)
		w.next++
		parts := []string{l}
		if w.next%7 == 0 {
			parts = []string{l[:len(l)/2], l[len(l)/2:]}
		}
		for _, p := range parts {
			if _, err := w.f.WriteString(p); err != nil {
				w.t.Fatal(err)
			}
		}
	}
}

// shift renames path.N[.gz] to path.N+1[.gz], oldest first.
func shift(t testing.TB, path string) {
	t.Helper()
	n := 0
	for exists(path+"."+strconv.Itoa(n+1)) || exists(path+"."+strconv.Itoa(n+1)+".gz") {
		n++
	}
	for ; n >= 1; n-- {
		for _, ext := range []string{"", ".gz"} {
			from := path + "." + strconv.Itoa(n) + ext
			if exists(from) {
				if err := os.Rename(from, path+"."+strconv.Itoa(n+1)+ext); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// renameCreate rotates like logrotate's create: rename to path.1, create
// an empty path; the program writes late lines to the old file, then
// reopens (as nginx does on SIGUSR1).
func (w *writer) renameCreate(late int) {
	w.t.Helper()
	shift(w.t, w.path)
	if err := os.Rename(w.path, w.path+".1"); err != nil {
		w.t.Fatal(err)
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		w.t.Fatal(err)
	}
	f.Close()
	w.lines(late)
	w.reopen()
}

// copyTruncate rotates like logrotate's copytruncate: copy to path.1, then
// truncate path. The program is paused meanwhile (it is this goroutine), so
// nothing is lost between the copy and the truncation.
func (w *writer) copyTruncate() {
	w.t.Helper()
	shift(w.t, w.path)
	src, err := os.OpenFile(w.path, os.O_RDWR, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(w.path+".1", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		w.t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		w.t.Fatal(err)
	}
	if err := src.Truncate(0); err != nil {
		w.t.Fatal(err)
	}
}

// gzipFile compresses path to path.gz and removes path, as gzip does.
func gzipFile(t testing.TB, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	writeFile(t, path+".gz", buf.String())
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// run is one Follow running in the background.
type run struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// startFollow runs Follow and returns once it called Ready.
func startFollow(t testing.TB, src Source, opt Options, emit func(Event) error) *run {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	userReady := opt.Ready
	opt.Ready = func() {
		if userReady != nil {
			userReady()
		}
		close(ready)
	}
	r := &run{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- Follow(ctx, src, opt, emit) }()
	t.Cleanup(func() { r.stop() })
	select {
	case <-ready:
	case err := <-r.done:
		r.once.Do(func() { r.err = err })
		t.Fatalf("Follow returned before Ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Follow not ready after 10s")
	}
	return r
}

// wait waits for Follow to return, at most d.
func (r *run) wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.once.Do(func() { r.err = err })
	case <-time.After(d):
		t.Fatalf("Follow did not return within %v", d)
	}
	return r.err
}

func (r *run) stop() error {
	r.cancel()
	r.once.Do(func() { r.err = <-r.done })
	return r.err
}

// recorder keeps copies of the events it is given and passes them on a
// channel.
type recorder struct {
	ch chan Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan Event, 1<<16)} }

func (r *recorder) emit(ev Event) error {
	ev.Data = bytes.Clone(ev.Data)
	r.ch <- ev
	return nil
}

// next returns the next event, failing after 10s.
func (r *recorder) next(t testing.TB) Event {
	t.Helper()
	select {
	case ev := <-r.ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return Event{}
}

// data collects Data bytes until it has n of them, skipping Open events.
func (r *recorder) data(t testing.TB, n int) string {
	t.Helper()
	var b strings.Builder
	for b.Len() < n {
		if ev := r.next(t); ev.Kind == EventData {
			b.Write(ev.Data)
		}
	}
	return b.String()
}

// checker verifies that numbered lines first..last arrive exactly once, in
// order, intact, and that events are contiguous within each file.
type checker struct {
	mu     sync.Mutex
	next   int
	last   int
	line   []byte
	id     Identity
	pos    int64
	opens  []Event
	errs   []string
	done   chan struct{}
	closed bool
	waits  map[int]chan struct{}
	trace  []string // every event, briefly
	start  time.Time
}

// reached returns a channel closed once line n has been seen.
func (c *checker) reached(n int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	if c.next > n {
		close(ch)
		return ch
	}
	if c.waits == nil {
		c.waits = map[int]chan struct{}{}
	}
	c.waits[n] = ch
	return ch
}

// waitLine waits until line n was seen, at most 10s.
func (c *checker) waitLine(t testing.TB, n int) {
	t.Helper()
	select {
	case <-c.reached(n):
	case <-time.After(10 * time.Second):
		t.Fatalf("line %d not seen within 10s", n)
	}
}

func newChecker(first, last int) *checker {
	return &checker{next: first, last: last, done: make(chan struct{}), start: time.Now()}
}

func (c *checker) fail(format string, args ...any) {
	if len(c.errs) < 20 {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

func (c *checker) emit(ev Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.trace) < 5000 {
		desc := fmt.Sprintf("%v %s ino=%d fplen=%d off=%d len=%d partial=%v", time.Since(c.start).Round(time.Microsecond), ev.Kind, ev.ID.Ino, ev.ID.FPLen, ev.Offset, len(ev.Data), ev.Partial)
		if ev.Kind == EventOpen {
			desc += fmt.Sprintf(" %s %s lost=%v", ev.Reason, filepath.Base(ev.Path), ev.Lost)
		} else if len(ev.Data) > 0 {
			desc += fmt.Sprintf(" %.8q…%.8q", ev.Data, ev.Data[bytes.LastIndexByte(ev.Data[:len(ev.Data)-1], '\n')+1:])
		}
		c.trace = append(c.trace, desc)
	}
	switch ev.Kind {
	case EventOpen:
		c.opens = append(c.opens, ev)
		c.id, c.pos = ev.ID, ev.Offset
		if len(c.line) > 0 {
			c.fail("open %s %s with %q of a line pending", ev.Reason, ev.Path, c.line)
			c.line = c.line[:0]
		}
	case EventData:
		if ev.ID.Dev != c.id.Dev || ev.ID.Ino != c.id.Ino || ev.Offset != c.pos {
			c.fail("data of %s at %d, want %s at %d", ev.ID, ev.Offset, c.id, c.pos)
		}
		if ev.Partial == bytes.HasSuffix(ev.Data, []byte("\n")) {
			c.fail("data %q with Partial %v", ev.Data, ev.Partial)
		}
		c.pos += int64(len(ev.Data))
		c.line = append(c.line, ev.Data...)
		for {
			i := bytes.IndexByte(c.line, '\n')
			if i < 0 {
				break
			}
			c.check(string(c.line[:i+1]))
			c.line = c.line[i+1:]
		}
		c.line = bytes.Clone(c.line)
	}
	return nil
}

func (c *checker) check(l string) {
	n, err := strconv.Atoi(strings.TrimSpace(l[:min(7, len(l))]))
	switch {
	case err != nil || l != mkLine(n):
		c.fail("got garbled line %q, want line %d", l, c.next)
	case n != c.next:
		c.fail("got line %d, want line %d", n, c.next)
	}
	if err == nil {
		c.next = n + 1
		if ch, ok := c.waits[n]; ok {
			close(ch)
			delete(c.waits, n)
		}
	}
	if c.next > c.last && !c.closed {
		c.closed = true
		close(c.done)
	}
}

// wait waits for the last line, at most d, and reports what went wrong.
func (c *checker) wait(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(d):
		c.mu.Lock()
		t.Errorf("after %v: next line %d, want up to %d", d, c.next, c.last)
		c.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.errs {
		t.Error(e)
	}
	if t.Failed() {
		t.Logf("events:\n%s", strings.Join(c.trace, "\n"))
	}
}

// opensString describes the Open events so far.
func (c *checker) opensString() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, ev := range c.opens {
		fmt.Fprintf(&b, "\n\t%s %s@%d lost=%v id=%s", ev.Reason, filepath.Base(ev.Path), ev.Offset, ev.Lost, ev.ID)
	}
	return b.String()
}

// reasons returns the Reason of every Open event so far.
func (c *checker) reasons() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var rs []string
	for _, ev := range c.opens {
		rs = append(rs, ev.Reason)
	}
	return rs
}
