//go:build unix

package logfile

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFollowRotations: a writer appends 30,000 numbered lines while the log
// is rotated 3 times by rename+create (with late writes to the renamed file)
// and 3 times by copytruncate (the writer paused between copy and truncate,
// as exactness needs); every line arrives exactly once, in order.
func TestFollowRotations(t *testing.T) {
	const total, rotations = 30000, 6
	for _, tc := range []struct {
		name  string
		pace  time.Duration // per batch of 30 lines; 0 is full speed
		grace time.Duration
	}{
		{"full speed", 0, 300 * time.Millisecond},
		{"paced 6000 lines/s", 5 * time.Millisecond, 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "access.log")
			writeFile(t, path, mkLine(0)) // there before: not delivered (Lines 0)
			c := newChecker(1, total)
			startFollow(t, source(path), Options{Grace: tc.grace}, c.emit)
			w := newWriter(t, path, 1)
			defer w.close()
			var pace <-chan time.Time
			if tc.pace > 0 {
				tick := time.NewTicker(tc.pace)
				defer tick.Stop()
				pace = tick.C
			}
			done := 0
			for w.next <= total {
				if done < rotations && w.next > (done+1)*total/(rotations+1) {
					if done%2 == 0 {
						w.renameCreate(50)
					} else {
						w.copyTruncate()
					}
					done++
				}
				w.lines(min(30, total+1-w.next))
				if pace != nil {
					<-pace
				}
			}
			c.wait(t, 60*time.Second)
			reasons := strings.Join(c.reasons(), " ")
			t.Logf("open reasons: %s", reasons)
			if tc.pace > 0 {
				want := "start" + strings.Repeat(" rename copy truncate", rotations/2)
				if reasons != want {
					t.Errorf("open reasons %q, want %q:%s", reasons, want, c.opensString())
				}
			}
		})
	}
}

// gatedEmit passes events to c, but blocks in the event holding line n
// until release is closed; blocked is closed when it blocks. The follower
// reads nothing meanwhile, so rotations can be made to happen "at once".
func gatedEmit(c *checker, n int) (emit func(Event) error, blocked, release chan struct{}) {
	blocked, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	return func(ev Event) error {
		err := c.emit(ev)
		if ev.Kind == EventData && bytes.Contains(ev.Data, []byte(mkLine(n))) {
			once.Do(func() {
				close(blocked)
				<-release
			})
		}
		return err
	}, blocked, release
}

func waitClosed(t *testing.T, ch chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("not blocked within 10s")
	}
}

// TestFollowCopyCompressed: the copy that copytruncate left was compressed
// before the follower noticed the truncation; the gap is read from the .gz.
func TestFollowCopyCompressed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "")
	c := newChecker(1, 200)
	emit, blocked, release := gatedEmit(c, 100)
	startFollow(t, source(path), Options{}, emit)
	w := newWriter(t, path, 1)
	defer w.close()
	w.lines(100)
	waitClosed(t, blocked)
	w.lines(50) // not read yet: only in the copy
	w.copyTruncate()
	gzipFile(t, path+".1")
	w.lines(50)
	close(release)
	c.wait(t, 20*time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	var got []string
	for _, ev := range c.opens {
		got = append(got, ev.Reason+" "+filepath.Base(ev.Path))
	}
	if want := "start access.log, copy access.log.1.gz, truncate access.log"; strings.Join(got, ", ") != want {
		t.Errorf("opens %q, want %q", strings.Join(got, ", "), want)
	}
}

// TestFollowCatchUp: several rotations of every kind go by while the
// follower is busy; it catches up through the siblings in order.
func TestFollowCatchUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "")
	c := newChecker(1, 700)
	emit, blocked, release := gatedEmit(c, 100)
	startFollow(t, source(path), Options{Grace: 20 * time.Millisecond}, emit)
	w := newWriter(t, path, 1)
	defer w.close()
	w.lines(100)
	waitClosed(t, blocked)
	w.lines(100)
	w.renameCreate(10)
	w.lines(90)
	w.copyTruncate()
	w.lines(100)
	w.renameCreate(10)
	w.lines(90)
	w.copyTruncate()
	gzipFile(t, path+".1")
	w.lines(100)
	w.renameCreate(0)
	w.lines(100)
	close(release)
	c.wait(t, 20*time.Second)
	t.Logf("open reasons: %s", strings.Join(c.reasons(), " "))
}

// TestFollowCopyWithHeldPartialLine: the follower holds an unterminated
// line when the file is copytruncated; the line comes whole, once, from the
// copy.
func TestFollowCopyWithHeldPartialLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, "1\n2\npar")
	rec := newRecorder()
	blocked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	emit := func(ev Event) error {
		err := rec.emit(ev)
		// "par" was read, and held, with the lines of this event.
		if ev.Kind == EventData {
			once.Do(func() { close(blocked); <-release })
		}
		return err
	}
	startFollow(t, source(path), Options{Lines: -1}, emit)
	waitClosed(t, blocked)
	appendFile(t, path, "tial\n3\n")
	w := &writer{t: t, path: path}
	w.copyTruncate()
	appendFile(t, path, "4\n")
	close(release)

	var got []string
	for len(got) < 6 {
		ev := rec.next(t)
		if ev.Kind == EventOpen {
			got = append(got, ev.Reason+" "+filepath.Base(ev.Path))
		} else if len(ev.Data) > 0 {
			got = append(got, string(ev.Data))
		}
	}
	want := []string{"start access.log", "1\n2\n", "copy access.log.1", "partial\n3\n", "truncate access.log", "4\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", got, want)
	}
}
