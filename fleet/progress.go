package fleet

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weblogctl/weblogctl/wire"
)

// progress shows, on a terminal's stderr, how much of a long fetch has
// arrived: the bytes, and once the size is known (the server says it when
// a file's copy starts) the percentage and the time left, with the rate,
// redrawn in place a few times a second; at the end one summary line.
// Where stderr is not a terminal it shows nothing.
type progress struct {
	w     io.Writer // stderr, a terminal
	label string
	n     atomic.Int64 // bytes arrived in this run
	start time.Time
	stop  chan struct{}
	done  sync.WaitGroup

	mu sync.Mutex
	// The file being copied: n was base when it started, at byte from
	// (a resumed copy starts after what it has), of size bytes (0:
	// unknown).
	base, from, size int64
}

// startProgress starts drawing if stderr is a terminal; it returns nil
// otherwise. A nil *progress is valid and does nothing.
func startProgress(stderr io.Writer, label string) *progress {
	if !IsTerminal(stderr) {
		return nil
	}
	p := &progress{w: stderr, label: wire.Sanitize(label), start: time.Now(), stop: make(chan struct{})}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

// add counts n more bytes; safe for concurrent use.
func (p *progress) add(n int) { p.n.Add(int64(n)) }

// started says a file's copy starts at byte from of size bytes.
func (p *progress) started(from, size int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.base, p.from, p.size = p.n.Load(), from, size
}

// draw redraws the progress line.
func (p *progress) draw() {
	fmt.Fprintf(p.w, "\r\x1b[K%s", p.line(time.Since(p.start)))
}

// line is the progress line after elapsed: "web1  3.5 MiB of 10.0 MiB
// (35%)  1.2 MiB/s  ETA 6s".
func (p *progress) line(elapsed time.Duration) string {
	n := p.n.Load()
	rate := float64(n) / max(elapsed.Seconds(), 1e-3)
	p.mu.Lock()
	done, total := p.from+n-p.base, p.size
	p.mu.Unlock()
	s := fmt.Sprintf("%s  %s", p.label, size(done))
	if total > 0 {
		s += fmt.Sprintf(" of %s (%d%%)", size(total), min(done*100/total, 100))
	}
	s += fmt.Sprintf("  %s/s", size(int64(rate)))
	if total > done && rate > 0 {
		eta := time.Duration(float64(total-done) / rate * float64(time.Second))
		s += "  ETA " + eta.Round(time.Second).String()
	}
	return s
}

// end stops drawing and clears the line; when the copy succeeded (err
// is nil) it prints the summary line.
func (p *progress) end(err error) {
	if p == nil {
		return
	}
	close(p.stop)
	p.done.Wait()
	fmt.Fprint(p.w, "\r\x1b[K")
	if err == nil {
		fmt.Fprintln(p.w, p.summary(time.Since(p.start)))
	}
}

// summary is the line after a successful copy: "web1: 10.0 MiB in 3.2s
// (3.1 MiB/s), SHA-256 verified".
func (p *progress) summary(elapsed time.Duration) string {
	n := p.n.Load()
	rate := float64(n) / max(elapsed.Seconds(), 1e-3)
	s := fmt.Sprintf("%s: %s in %s (%s/s)", p.label, size(n), elapsed.Round(time.Millisecond), size(int64(rate)))
	p.mu.Lock()
	if p.from > 0 {
		s += fmt.Sprintf(", resumed at byte %d", p.from)
	}
	p.mu.Unlock()
	return s
}

// size formats a byte count for people.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
