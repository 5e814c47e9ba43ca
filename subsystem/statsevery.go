package subsystem

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/weblogctl/weblogctl/logfile"
	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// statsEvery answers stats --every (PROTOCOL.md §2.2): it follows the log
// from its start, across rotation, and every interval sends the table of
// the lines read since the last one, until the client goes away.
func statsEvery(ctx context.Context, ss *session, req wire.Request, keys []tally.Key, o output) error {
	l, err := ss.policy.Lookup(req.Log)
	if err != nil {
		return unavailable(req.Log)
	}
	c, err := openContent(ss, wire.Request{Log: req.Log})
	if err != nil {
		return err
	}
	a, err := newAggregator(ss, req, keys, c)
	c.close()
	if err != nil {
		return err
	}
	ctx, stop := followLimit(ctx, ss)
	defer stop()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var mu sync.Mutex // guards a and stopped
	stopped := false
	var done sync.WaitGroup
	done.Add(1)
	go func() {
		defer done.Done()
		tick := time.NewTicker(req.Stats.Every)
		defer tick.Stop()
		start := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-tick.C:
				mu.Lock()
				t := a.t
				a.t = tally.New(keys, req.Stats.MaxGroups)
				stop := stopped
				mu.Unlock()
				if err := writeTable(o, req.Framed, t, wire.Window{Start: start, End: now}); err != nil {
					cancel(err)
					return
				}
				if stop {
					cancel(errStop)
					return
				}
				start = now
			}
		}
	}()

	src := logfile.Source{Path: l.Path, Open: l.OpenRelated, Siblings: l.Siblings}
	err = logfile.Follow(ctx, src, logfile.Options{Lines: -1}, func(ev logfile.Event) error {
		if ev.Kind != logfile.EventData {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return nil
		}
		stopped = a.piece(ev.Data, ev.Partial)
		return nil
	})
	cancel(nil)
	done.Wait()
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errStop):
		return o.end(wire.End{}) // the --until-path request, counted and sent
	case cause != nil && cause != context.Canceled:
		return cause // a write failed (the client left) or the time limit
	case ctx.Err() != nil && err == nil, errors.Is(err, context.Canceled):
		return o.end(wire.End{})
	case err != nil:
		return followError(req.Log, err)
	}
	return o.end(wire.End{})
}
