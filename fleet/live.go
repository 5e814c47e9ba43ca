package fleet

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// LiveKind says what a LiveEvent reports.
type LiveKind int

// The kinds of LiveEvent.
const (
	LiveTable  LiveKind = iota // an interval's table of one feed
	LiveStale                  // the host's connection failed (Err); it is retried after Wait
	LiveFailed                 // the host failed for good (Err): it is not retried
)

// LiveEvent is one thing that happened to a host of Runner.Live.
type LiveEvent struct {
	Host int      // index into RunConfig.Hosts
	Kind LiveKind // what happened
	// Feed, Table and Window are a LiveTable's: the feed's index, the
	// table of the lines read in Window (a delta, PROTOCOL.md §2.2.2).
	Feed   int
	Table  *tally.Table
	Window wire.Window
	// First marks the feed's first table on a new connection: it holds
	// the log as it is now, so it replaces what the host sent before.
	First bool
	At    time.Time     // when it arrived, by our clock
	Err   error         // why the host is stale or failed
	Wait  time.Duration // LiveStale: how long until the next attempt
}

// Hosts returns the run's hosts, in the order given.
func (r *Runner) Hosts() []string { return append([]string(nil), r.cfg.Hosts...) }

// Live runs the following stats of feeds (client.Source.StatsEvery) on
// every host at once and sends what happens on events, until ctx ends.
// A host whose connection fails is reported stale and reconnected with
// jittered exponential backoff between ro's bounds, as
// client.FollowReconnect does; one that fails in a way retrying cannot
// fix (client.Permanent) is reported failed and left out. Nothing is
// written to Stderr: the caller shows the events.
func (r *Runner) Live(ctx context.Context, req client.Request, feeds []client.StatsFeed, every time.Duration, ro client.ReconnectOptions, events chan<- LiveEvent) {
	minB, maxB := ro.MinBackoff, ro.MaxBackoff
	if minB <= 0 {
		minB = 500 * time.Millisecond
	}
	if maxB < minB {
		maxB = max(30*time.Second, minB)
	}
	send := func(e LiveEvent) error {
		e.At = time.Now()
		select {
		case events <- e:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	Run(ctx, len(r.sources), 0, func(ctx context.Context, i int) error {
		backoff := minB
		for {
			seen := make([]bool, len(feeds))
			progressed := false
			err := r.sources[i].StatsEvery(ctx, req, feeds, every, func(feed int, t *tally.Table, w wire.Window) error {
				progressed = true
				first := !seen[feed]
				seen[feed] = true
				return send(LiveEvent{Host: i, Kind: LiveTable, Feed: feed, Table: t, Window: w, First: first})
			})
			if ctx.Err() != nil {
				return nil
			}
			if client.Permanent(err) {
				send(LiveEvent{Host: i, Kind: LiveFailed, Err: err})
				return nil
			}
			if progressed {
				backoff = minB
			}
			wait := backoff/2 + rand.N(backoff/2+1) // jitter: [backoff/2, backoff]
			if send(LiveEvent{Host: i, Kind: LiveStale, Err: err, Wait: wait}) != nil {
				return nil
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
			backoff = min(backoff*2, maxB)
		}
	})
}
