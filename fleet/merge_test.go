package fleet

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// testTime reads lines "t=SECONDS rest"; other lines have no time.
func testTime() func([]byte) (time.Time, bool) {
	return func(line []byte) (time.Time, bool) {
		s, ok := strings.CutPrefix(string(line), "t=")
		if !ok {
			return time.Time{}, false
		}
		s, _, _ = strings.Cut(s, " ")
		n, err := strconv.Atoi(s)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(int64(n), 0), true
	}
}

// collector records what a Merger emits.
type collector struct {
	mu    sync.Mutex
	lines []string
}

func (c *collector) emit(host int, line []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, fmt.Sprintf("%d:%s", host, strings.TrimSuffix(string(line), "\n")))
	return nil
}

func (c *collector) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.lines)
}

// TestMergeExact: finite streams arriving in random chunks and timing
// come out as the k-way merge by time; lines without a time stay behind
// their host's previous line.
func TestMergeExact(t *testing.T) {
	streams := []string{
		"t=1 a\nt=4 a\nno time a\nt=9 a\n",
		"t=2 b\nt=3 b\nt=9 b\nt=10 b",
		"untimed first c\nt=5 c\nt=6 c\n",
		"",
	}
	want := []string{
		"2:untimed first c", "0:t=1 a", "1:t=2 b", "1:t=3 b", "0:t=4 a", "0:no time a",
		"2:t=5 c", "2:t=6 c", "0:t=9 a", "1:t=9 b", "1:t=10 b",
	}
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 1))
		var c collector
		m := NewMerger(len(streams), MergeOptions{Timestamp: testTime, HostBuffer: 1 + r.IntN(100)}, c.emit)
		var wg sync.WaitGroup
		for i, s := range streams {
			chunks := split(s, r)
			wg.Go(func() {
				defer m.Close(i)
				for _, ch := range chunks {
					if err := m.Push(context.Background(), i, []byte(ch)); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if got := c.get(); !slices.Equal(got, want) {
			t.Fatalf("seed %d: merged\n%q\nwant\n%q", seed, got, want)
		}
	}
}

// split cuts s into whole-line chunks of random sizes.
func split(s string, r *rand.Rand) []string {
	lines := strings.SplitAfter(s, "\n")
	var out []string
	for len(lines) > 0 {
		n := 1 + r.IntN(len(lines))
		if ch := strings.Join(lines[:n], ""); ch != "" {
			out = append(out, ch)
		}
		lines = lines[n:]
	}
	return out
}

// TestMergeExactWaits: the exact merge passes nothing on while a running
// host has sent nothing, and holds a fast host back (bounded buffer)
// instead of buffering without limit.
func TestMergeExactWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c collector
		m := NewMerger(2, MergeOptions{Timestamp: testTime, HostBuffer: 100}, c.emit)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ran := make(chan error)
		go func() { ran <- m.Run(ctx) }()
		pushed := make(chan int)
		go func() {
			n := 0
			for i := range 50 {
				if err := m.Push(ctx, 0, fmt.Appendf(nil, "t=%d a\n", i)); err != nil {
					break
				}
				n++
			}
			pushed <- n
			m.Close(0)
		}()
		synctest.Wait()
		if got := c.get(); len(got) != 0 {
			t.Fatalf("emitted %q before host 1 sent anything", got)
		}
		select {
		case n := <-pushed:
			t.Fatalf("host 0 pushed all %d lines into a 100-byte buffer", n)
		default:
		}
		m.Push(ctx, 1, []byte("t=25 b\n"))
		m.Close(1)
		if n := <-pushed; n != 50 {
			t.Fatalf("host 0 pushed %d lines", n)
		}
		if err := <-ran; err != nil {
			t.Fatal(err)
		}
		got := c.get()
		if len(got) != 51 || got[25] != "0:t=25 a" || got[26] != "1:t=25 b" {
			t.Errorf("merged %q", got)
		}
	})
}

// TestMergeLive: with a delay, a line waits for the other hosts'
// watermark, but never longer than the delay.
func TestMergeLive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c collector
		m := NewMerger(2, MergeOptions{Timestamp: testTime, Delay: 2 * time.Second}, c.emit)
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan error)
		go func() { ran <- m.Run(ctx) }()

		m.Push(ctx, 0, []byte("t=10 a\n"))
		time.Sleep(1999 * time.Millisecond) // fake time: the bubble's clock
		synctest.Wait()
		if got := c.get(); len(got) != 0 {
			t.Fatalf("emitted %q before the delay passed, host 1 silent", got)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := c.get(); !slices.Equal(got, []string{"0:t=10 a"}) {
			t.Fatalf("after the delay: %q", got)
		}

		// Host 1 is at 12: host 0's 11 can go at once; host 1's 12 waits
		// for host 0 to pass 12.
		m.Push(ctx, 1, []byte("t=12 b\n"))
		m.Push(ctx, 0, []byte("t=11 a\n"))
		synctest.Wait()
		if got := c.get(); !slices.Equal(got, []string{"0:t=10 a", "0:t=11 a"}) {
			t.Fatalf("watermark: %q", got)
		}
		m.Push(ctx, 0, []byte("t=13 a\nno time a\n"))
		synctest.Wait()
		if got := c.get(); !slices.Equal(got, []string{"0:t=10 a", "0:t=11 a", "1:t=12 b"}) {
			t.Fatalf("watermark passed 12: %q", got)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if got := c.get(); !slices.Equal(got, []string{"0:t=10 a", "0:t=11 a", "1:t=12 b", "0:t=13 a", "0:no time a"}) {
			t.Fatalf("after the delay: %q", got)
		}
		cancel()
		if err := <-ran; !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
		if err := m.Push(context.Background(), 0, []byte("t=20 a\n")); !errors.Is(err, ErrStopped) {
			t.Errorf("Push after Run = %v, want ErrStopped", err)
		}
	})
}

// TestMergeEmitError: Run stops at emit's error and releases waiting
// Pushes.
func TestMergeEmitError(t *testing.T) {
	boom := errors.New("boom")
	m := NewMerger(1, MergeOptions{Timestamp: testTime, HostBuffer: 1}, func(int, []byte) error { return boom })
	pushed := make(chan error)
	go func() {
		var err error
		for err == nil {
			err = m.Push(context.Background(), 0, []byte("t=1 x\n"))
		}
		pushed <- err
	}()
	if err := m.Run(context.Background()); !errors.Is(err, boom) {
		t.Errorf("Run = %v", err)
	}
	if err := <-pushed; !errors.Is(err, ErrStopped) {
		t.Errorf("Push = %v", err)
	}
}

// TestAccessLogTime reads the time of real access-log lines.
func TestAccessLogTime(t *testing.T) {
	ts := AccessLogTime()
	line := []byte(`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "x"` + "\n")
	got, ok := ts(line)
	if want := time.Date(2015, 5, 17, 10, 5, 3, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("AccessLogTime = %v, %v, want %v", got, ok, want)
	}
	if _, ok := ts([]byte("not a log line\n")); ok {
		t.Error("AccessLogTime read a time from garbage")
	}
}
