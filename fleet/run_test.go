package fleet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

func TestRunBounded(t *testing.T) {
	for _, jobs := range []int{0, 1, 3, 50} {
		var running, peak atomic.Int32
		release := make(chan struct{})
		started := make(chan struct{}, 50)
		done := make(chan []error)
		go func() {
			done <- Run(context.Background(), 20, jobs, func(ctx context.Context, i int) error {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				started <- struct{}{}
				<-release
				running.Add(-1)
				if i%2 == 1 {
					return fmt.Errorf("job %d", i)
				}
				return nil
			})
		}()
		want := min(20, jobs)
		if jobs <= 0 {
			want = 20
		}
		for range want {
			<-started
		}
		close(release)
		errs := <-done
		if int(peak.Load()) != want {
			t.Errorf("jobs %d: %d ran at once, want %d", jobs, peak.Load(), want)
		}
		for i, err := range errs {
			if (err != nil) != (i%2 == 1) {
				t.Errorf("jobs %d: errs[%d] = %v", jobs, i, err)
			}
		}
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	errs := Run(ctx, 10, 2, func(ctx context.Context, i int) error {
		ran.Add(1)
		if i == 1 {
			cancel()
		}
		<-ctx.Done()
		return ctx.Err()
	})
	if ran.Load() != 2 {
		t.Errorf("%d jobs ran after the cancel, want 2", ran.Load())
	}
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("errs[%d] = %v, want context.Canceled", i, err)
		}
	}
}

func TestLimiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(1)
		if err := l.Acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		got := make(chan error)
		go func() { got <- l.Acquire(ctx) }()
		synctest.Wait()
		select {
		case err := <-got:
			t.Fatalf("second Acquire returned %v while the place was taken", err)
		default:
		}
		cancel()
		if err := <-got; !errors.Is(err, context.Canceled) {
			t.Errorf("Acquire after cancel = %v", err)
		}
		l.Release()
		if err := l.Acquire(context.Background()); err != nil {
			t.Errorf("Acquire after Release = %v", err)
		}
		var none *Limiter
		if err := none.Acquire(context.Background()); err != nil {
			t.Errorf("nil Limiter: %v", err)
		}
		none.Release()
	})
}

func TestLineWriter(t *testing.T) {
	for _, chunk := range []int{1, 2, 3, 7, 1000} {
		in := "one\ntwo\n\nthree is longer\nlast without newline"
		var calls []string
		w := &LineWriter{Emit: func(b []byte) error {
			if len(b) == 0 {
				t.Fatal("empty Emit")
			}
			calls = append(calls, string(b))
			return nil
		}}
		for i := 0; i < len(in); i += chunk {
			if n, err := w.Write([]byte(in[i:min(i+chunk, len(in))])); err != nil || n != min(chunk, len(in)-i) {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(calls, ""); got != in {
			t.Errorf("chunk %d: got %q, want %q", chunk, got, in)
		}
		for _, c := range calls[:len(calls)-1] {
			if !strings.HasSuffix(c, "\n") {
				t.Errorf("chunk %d: Emit(%q) is not whole lines", chunk, c)
			}
		}
	}
}

func TestLineWriterLongLine(t *testing.T) {
	var pieces []int
	w := &LineWriter{Emit: func(b []byte) error {
		pieces = append(pieces, len(b))
		return nil
	}}
	long := bytes.Repeat([]byte("x"), 2*MaxLine+10)
	for i := 0; i < len(long); i += 4096 {
		w.Write(long[i:min(i+4096, len(long))])
	}
	w.Write([]byte("\n"))
	w.Close()
	if len(pieces) != 3 || pieces[0] != MaxLine || pieces[1] != MaxLine || pieces[2] != 11 {
		t.Errorf("pieces = %v, want [%d %d 11]", pieces, MaxLine, MaxLine)
	}
	failing := &LineWriter{Emit: func([]byte) error { return errors.New("boom") }}
	if _, err := failing.Write([]byte("a\n")); err == nil {
		t.Error("Emit's error was not returned")
	}
}
