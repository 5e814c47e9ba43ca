//go:build unix

package logfile

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestResume: a reader stops after line 50; while it is away the log grows
// and is rotated; resuming from its cursor delivers lines 51 on, exactly
// once, in order, then follows.
func TestResume(t *testing.T) {
	for _, tc := range []struct {
		name    string
		away    func(w *writer) // writes lines 51..200
		reasons string
	}{
		{"no rotation", func(w *writer) {
			w.lines(150)
		}, "resume"},
		{"rename+create", func(w *writer) {
			w.lines(50)
			w.renameCreate(0)
			w.lines(100)
		}, "resume rename"},
		{"two renames", func(w *writer) {
			w.lines(50)
			w.renameCreate(0)
			w.lines(50)
			w.renameCreate(0)
			w.lines(50)
		}, "resume rename rename"},
		{"rename, then compressed", func(w *writer) {
			w.lines(50)
			w.renameCreate(0)
			w.lines(50)
			w.renameCreate(0)
			w.lines(50)
			gzipFile(w.t, w.path+".2")
			gzipFile(w.t, w.path+".1")
		}, "resume rename rename"},
		{"copytruncate", func(w *writer) {
			w.lines(50)
			w.copyTruncate()
			w.lines(100)
		}, "resume rename"},
		{"copytruncate, then compressed", func(w *writer) {
			w.lines(50)
			w.copyTruncate()
			w.lines(100)
			gzipFile(w.t, w.path+".1")
		}, "resume rename"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			w := newWriter(t, path, 1)
			defer w.close()
			w.lines(50)

			// A first reader, stopped after line 50.
			var cursor Cursor
			stop := errors.New("stop")
			err := Follow(context.Background(), source(path), Options{Lines: -1}, func(ev Event) error {
				cursor = ev.Cursor()
				if ev.Kind == EventData && strings.HasSuffix(string(ev.Data), mkLine(50)) {
					return stop
				}
				return nil
			})
			if err != stop {
				t.Fatalf("first Follow = %v", err)
			}

			tc.away(w)

			c := newChecker(51, 210)
			// Through the wire and back.
			parsed, err := ParseCursor(cursor.String())
			if err != nil {
				t.Fatal(err)
			}
			startFollow(t, source(path), Options{Resume: &parsed, Grace: 20 * time.Millisecond}, c.emit)
			c.waitLine(t, 200)
			w.lines(10) // and it follows
			c.wait(t, 20*time.Second)
			if got := strings.Join(c.reasons(), " "); got != tc.reasons {
				t.Errorf("open reasons %q, want %q", got, tc.reasons)
			}
		})
	}
}

func TestResumeNotFound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "1\n2\n")
	id := Identity{Dev: 1, Ino: 2, FPLen: 4}
	id.FP[0] = 1
	f, err := safeOpen(path)
	if err != nil {
		t.Fatal(err)
	}
	live, err := IdentityOf(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    Cursor
	}{
		{"unknown file", Cursor{ID: id, Offset: 2}},
		{"beyond the end", Cursor{ID: live, Offset: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			err := Follow(context.Background(), source(path), Options{Resume: &tc.c, Ready: func() { called = true }}, newRecorder().emit)
			if !errors.Is(err, ErrCursorNotFound) || called {
				t.Errorf("Follow = %v (Ready called %v), want ErrCursorNotFound before Ready", err, called)
			}
		})
	}
}
