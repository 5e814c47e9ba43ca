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
// arrived and how fast, redrawn in place a few times a second. Where
// stderr is not a terminal it shows nothing.
type progress struct {
	w     io.Writer // stderr, a terminal
	label string
	n     atomic.Int64
	start time.Time
	stop  chan struct{}
	done  sync.WaitGroup
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

// draw redraws the progress line.
func (p *progress) draw() {
	n := p.n.Load()
	rate := float64(n) / time.Since(p.start).Seconds()
	line := fmt.Sprintf("%s  %s  %s/s", p.label, size(n), size(int64(rate)))
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

// end stops drawing and clears the line.
func (p *progress) end() {
	if p == nil {
		return
	}
	close(p.stop)
	p.done.Wait()
	fmt.Fprint(p.w, "\r\x1b[K")
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
