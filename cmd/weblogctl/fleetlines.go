package main

import (
	"context"
	"errors"
	"time"

	"github.com/weblogctl/weblogctl/fleet"
)

// lineStream produces the lines of host i, passing them to emit, until
// its stream ends or ctx does.
type lineStream func(ctx context.Context, i int, emit func(lines []byte) error) error

// runLines prints the lines of every host through fp: in arrival order,
// at most jobs hosts at once (0: all), or, with merge, merged by time
// (fleet.Merger; all hosts at once, as a merge needs every host's next
// line). delay is the live merge's delay for follow, 0 for an exact merge
// of finite streams. It returns the command's result (fleetRun.result).
func runLines(r *fleetRun, fp *fleetPrinter, merge bool, delay time.Duration, jobs int, stream lineStream) error {
	parent := r.c.Context
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	n := len(r.hosts)
	// Each host has its own context, so that one can be stopped alone
	// (its --until-path request while merging).
	hostCtx := make([]context.Context, n)
	hostStop := make([]context.CancelFunc, n)
	for i := range n {
		hostCtx[i], hostStop[i] = context.WithCancel(ctx)
		defer hostStop[i]()
	}

	var m *fleet.Merger
	merged := make(chan error, 1)
	if merge {
		stopped := make([]bool, n) // only the merger's goroutine uses it
		opt := fleet.MergeOptions{Delay: delay}
		if delay > 0 {
			opt.Flush = fp.flush // live: out at once; finite: when the buffer fills
		}
		m = fleet.NewMerger(n, opt, func(i int, line []byte) error {
			if stopped[i] {
				return nil
			}
			err := fp.lines(i, line)
			if errors.Is(err, errStopPath) {
				stopped[i] = true
				hostStop[i]()
				return nil
			}
			return err
		})
		go func() {
			err := m.Run(ctx)
			if err != nil {
				cancel() // the output failed: stop every host
			}
			merged <- err
		}()
		jobs = 0
	}

	r.run(ctx, jobs, func(ctx context.Context, i int) error {
		hctx := hostCtx[i]
		emit := func(b []byte) error {
			err := fp.lines(i, b)
			if errors.As(err, new(outputError)) {
				cancel()
			}
			return err
		}
		if m != nil {
			defer m.Close(i)
			emit = func(b []byte) error { return m.Push(hctx, i, b) }
		}
		err := stream(hctx, i, emit)
		if hctx.Err() != nil && ctx.Err() == nil {
			return nil // stopped at its --until-path request
		}
		return err
	})
	if m != nil {
		if err := <-merged; err != nil && !errors.Is(err, context.Canceled) {
			r.outputFailed(err)
		}
	}
	if err := fp.flush(); err != nil {
		r.outputFailed(err)
	}
	return r.result(parent)
}
