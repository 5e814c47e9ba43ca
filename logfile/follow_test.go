//go:build unix

package logfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFollowStart(t *testing.T) {
	long := strings.Repeat("y", 100<<10) + "\n"
	for _, tc := range []struct {
		name    string
		content string
		lines   int
		appends string // written from Ready, before Follow reads anything
		want    string
	}{
		{"empty file", "", 5, "x\n", "x\n"},
		{"last two", "a\nb\nc\n", 2, "", "b\nc\n"},
		{"no final newline", "a\nb\nc", 1, "d\n", "cd\n"},
		{"more than there are", "a\nb\n", 10, "", "a\nb\n"},
		{"long lines", "a\n" + long + long, 2, "", long + long},
		{"n=0 starts at the end, taken before Ready", "old\n", 0, "new\n", "new\n"},
		{"negative starts at the beginning", "a\nb\n", -1, "c\n", "a\nb\nc\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			writeFile(t, path, tc.content)
			rec := newRecorder()
			opt := Options{Lines: tc.lines, Ready: func() {
				if tc.appends != "" {
					appendFile(t, path, tc.appends)
				}
			}}
			startFollow(t, source(path), opt, rec.emit)
			if ev := rec.next(t); ev.Kind != EventOpen || ev.Reason != ReasonStart || ev.Path != path {
				t.Fatalf("first event = %+v, want open start", ev)
			}
			if got := rec.data(t, len(tc.want)); got != tc.want {
				t.Errorf("data = %.40q…, want %.40q…", got, tc.want)
			}
		})
	}
}

func TestFollowMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.log")
	called := false
	err := Follow(context.Background(), source(path), Options{Ready: func() { called = true }}, newRecorder().emit)
	if !errors.Is(err, fs.ErrNotExist) || called {
		t.Errorf("Follow(missing) = %v (Ready called: %v), want ErrNotExist before Ready", err, called)
	}
	if err := Follow(context.Background(), Source{Path: path}, Options{}, newRecorder().emit); err == nil {
		t.Error("Follow with nil Source.Open succeeded")
	}
}

func TestFollowHoldsPartialLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "")
	rec := newRecorder()
	startFollow(t, source(path), Options{}, rec.emit)
	rec.next(t) // open
	appendFile(t, path, "ab")
	appendFile(t, path, "c\nd")
	appendFile(t, path, "e\n")
	var got string
	for len(got) < len("abc\nde\n") {
		ev := rec.next(t)
		if ev.Kind != EventData || ev.Partial || !strings.HasSuffix(string(ev.Data), "\n") {
			t.Fatalf("event = %v %q partial %v, want whole lines", ev.Kind, ev.Data, ev.Partial)
		}
		got += string(ev.Data)
	}
	if got != "abc\nde\n" {
		t.Errorf("data %q, want abc de", got)
	}
}

func TestFollowMaxLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, strings.Repeat("a", 250)+"\nshort\n")
	rec := newRecorder()
	startFollow(t, source(path), Options{Lines: -1, MaxLine: 100}, rec.emit)
	rec.next(t) // open
	for _, want := range []struct {
		data    string
		partial bool
	}{
		{strings.Repeat("a", 100), true},
		{strings.Repeat("a", 100), true},
		{strings.Repeat("a", 50) + "\nshort\n", false},
	} {
		ev := rec.next(t)
		if string(ev.Data) != want.data || ev.Partial != want.partial {
			t.Fatalf("event = %q partial %v, want %q partial %v", ev.Data, ev.Partial, want.data, want.partial)
		}
	}
}

func TestFollowRenameDeliversFinalPartialLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "a\nb")
	rec := newRecorder()
	startFollow(t, source(path), Options{Lines: -1, Grace: 20 * time.Millisecond}, rec.emit)
	rec.next(t) // open
	if ev := rec.next(t); string(ev.Data) != "a\n" {
		t.Fatalf("data %q, want a", ev.Data)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "c\n")
	ev := rec.next(t)
	if string(ev.Data) != "b" || !ev.Partial {
		t.Fatalf("event %v %q partial %v, want the unterminated line b as Partial", ev.Kind, ev.Data, ev.Partial)
	}
	ev = rec.next(t)
	if ev.Kind != EventOpen || ev.Reason != ReasonRename || ev.Offset != 0 || ev.Path != path {
		t.Fatalf("event %+v, want open rename of %s at 0", ev, path)
	}
	if ev := rec.next(t); string(ev.Data) != "c\n" {
		t.Fatalf("data %q, want c", ev.Data)
	}
}

func TestFollowDeleteRecreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "")
	c := newChecker(1, 300)
	startFollow(t, source(path), Options{Grace: 20 * time.Millisecond}, c.emit)
	w := newWriter(t, path, 1)
	w.lines(100)
	w.close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	w.reopen()
	w.lines(100)
	w.close()
	// A file deleted before the follower opened it cannot be read: let it
	// get to this one first.
	c.waitLine(t, 150)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	w.reopen()
	w.lines(100)
	w.close()
	c.wait(t, 20*time.Second)
	if got := strings.Join(c.reasons(), " "); got != "start recreate recreate" {
		t.Errorf("open reasons %q, want start recreate recreate", got)
	}
}

func TestFollowTruncateWithoutCopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "1\n2\n")
	rec := newRecorder()
	src := source(path)
	src.Siblings = nil
	startFollow(t, src, Options{Lines: -1}, rec.emit)
	rec.next(t) // open
	if got := rec.data(t, 4); got != "1\n2\n" {
		t.Fatalf("data %q", got)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "3\n")
	ev := rec.next(t)
	if ev.Kind != EventOpen || ev.Reason != ReasonTruncate || !ev.Lost || ev.Offset != 0 {
		t.Fatalf("event %+v, want open truncate at 0, lost", ev)
	}
	if ev := rec.next(t); string(ev.Data) != "3\n" {
		t.Fatalf("data %q, want 3", ev.Data)
	}
}

// TestFollowTruncatedAndRefilled: a file truncated and written past the old
// position again before the follower looks is still caught (by the
// fingerprint, not the size).
func TestFollowTruncatedAndRefilled(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	writeFile(t, path, "")
	c := newChecker(1, 400)
	startFollow(t, source(path), Options{}, c.emit)
	w := newWriter(t, path, 1)
	w.lines(100)
	// Wait until the follower has read them all, then copytruncate and
	// write more than before in one go.
	c.waitLine(t, 100)
	w.copyTruncate()
	w.lines(300)
	c.wait(t, 20*time.Second)
	if got := strings.Join(c.reasons(), " "); got != "start copy truncate" {
		t.Errorf("open reasons %q, want start copy truncate", got)
	}
}

// TestFollowRefusedReplacement: what replaces the log at its path goes
// through Source.Open, whose refusal is reported, not hung on.
func TestFollowRefusedReplacement(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replace func(path string) error
		want    error
	}{
		{"fifo", func(path string) error { return syscall.Mkfifo(path, 0o644) }, errNotRegular},
		{"symlink", func(path string) error { return os.Symlink(path+".1", path) }, syscall.ELOOP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			writeFile(t, path, "1\n")
			rec := newRecorder()
			r := startFollow(t, source(path), Options{Lines: -1, Grace: 20 * time.Millisecond}, rec.emit)
			rec.next(t) // open
			if got := rec.data(t, 2); got != "1\n" {
				t.Fatalf("data %q", got)
			}
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			appendFile(t, path+".1", "2\n") // a late writer
			if err := tc.replace(path); err != nil {
				t.Fatal(err)
			}
			err := r.wait(t, 10*time.Second)
			if !errors.Is(err, tc.want) {
				t.Errorf("Follow = %v, want an error wrapping %v", err, tc.want)
			}
			if got := rec.data(t, 2); got != "2\n" {
				t.Errorf("late line %q, want 2", got)
			}
		})
	}
}

// TestFollowBackstop: a rotation inotify cannot report (the directory
// itself was moved and a new one made) is found by the reconcile check.
func TestFollowBackstop(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "logs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "access.log")
	writeFile(t, path, "")
	c := newChecker(1, 300)
	src := source(path)
	src.Siblings = nil
	startFollow(t, src, Options{Grace: 20 * time.Millisecond, Reconcile: 50 * time.Millisecond}, c.emit)
	w := newWriter(t, path, 1)
	w.lines(100)
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	w.lines(100) // late writes to the moved file
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w.reopen()
	w.lines(100)
	c.wait(t, 20*time.Second)
	if got := strings.Join(c.reasons(), " "); got != "start rename" {
		t.Errorf("open reasons %q, want start rename", got)
	}
	// The new directory is watched: a line appended now arrives without
	// waiting for a reconcile tick.
	c.mu.Lock()
	c.last = 301
	c.done = make(chan struct{})
	c.closed = false
	c.mu.Unlock()
	w.lines(1)
	c.wait(t, 20*time.Second)
	w.close()
}

func TestFollowCancelIdle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "1\n")
	rec := newRecorder()
	r := startFollow(t, source(path), Options{Lines: -1}, rec.emit)
	rec.next(t)
	rec.data(t, 2)
	start := time.Now()
	r.cancel()
	if err := r.wait(t, 5*time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("Follow = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Follow returned %v after cancel, want < 100ms", d)
	}
	// Follow's goroutines (the watcher's) are gone when it returns.
	// (One that already finished but is still in goexit is not a leak.)
	buf := make([]byte, 1<<20)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if (strings.Contains(g, "fsnotify") || strings.Contains(g, "logfile.(*follower)")) && !strings.Contains(g, "runtime.goexit1") {
			t.Errorf("goroutine left after Follow returned:\n%s", g)
		}
	}
}

func TestFollowEmitError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "1\n")
	stop := errors.New("stop")
	err := Follow(context.Background(), source(path), Options{Lines: -1}, func(ev Event) error {
		if ev.Kind == EventData {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Errorf("Follow = %v, want emit's error unchanged", err)
	}
}

// TestFollowIdleCPU: following an idle log costs (almost) nothing: at most
// 0.1s of CPU for 10s, measured over 2s.
func TestFollowIdleCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 2s")
	}
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "1\n")
	rec := newRecorder()
	startFollow(t, source(path), Options{}, rec.emit)
	rec.next(t)
	runtime.GC()
	before := cpuTime(t)
	time.Sleep(2 * time.Second) // the idle period being measured
	used := cpuTime(t) - before
	t.Logf("CPU while idle for 2s: %v", used)
	if used > 20*time.Millisecond {
		t.Errorf("CPU while idle for 2s = %v, want <= 20ms", used)
	}
}

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
