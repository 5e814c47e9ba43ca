package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress shows, on a terminal's stderr, how much of a long fetch has
// arrived: bytes, rate, and the total when known, redrawn in place a few
// times a second. Where stderr is not a terminal it shows nothing.
type progress struct {
	w     io.Writer // stderr, a terminal
	label string
	total int64 // -1: unknown
	n     atomic.Int64
	start time.Time
	stop  chan struct{}
	done  sync.WaitGroup
}

// startProgress starts drawing if stderr is a terminal; it returns nil
// otherwise. A nil *progress is valid and does nothing.
func startProgress(stderr io.Writer, label string, total int64) *progress {
	if !isTerminal(stderr) {
		return nil
	}
	p := &progress{w: stderr, label: label, total: total, start: time.Now(), stop: make(chan struct{})}
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

// writer counts what passes through it into w.
func (p *progress) writer(w io.Writer) io.Writer {
	if p == nil {
		return w
	}
	return countingWriter{w: w, n: &p.n}
}

// draw redraws the progress line.
func (p *progress) draw() {
	n := p.n.Load()
	rate := float64(n) / time.Since(p.start).Seconds()
	line := fmt.Sprintf("%s  %s", p.label, size(n))
	if p.total > 0 {
		line += fmt.Sprintf(" / %s (%d%%)", size(p.total), n*100/p.total)
	}
	line += fmt.Sprintf("  %s/s", size(int64(rate)))
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

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}
