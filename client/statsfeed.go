package client

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// StatsFeed is one following stats that Source.StatsEvery runs: its
// group keys and its filter (the Request's filter is not used).
type StatsFeed struct {
	By     []tally.Key
	Filter accesslog.FilterSpec
}

// ErrPlainStats is StatsEvery in plain mode: aggregation needs
// weblog-server on the host.
var ErrPlainStats = errors.New("plain mode cannot aggregate on the host (stats needs weblog-server)")

// feedKeepalive is the keepalive interval of a StatsEvery connection;
// three unanswered ones close it.
const feedKeepalive = 5 * time.Second

func (s *weblogSource) StatsEvery(ctx context.Context, req Request, feeds []StatsFeed, every time.Duration, emit func(feed int, t *tally.Table, w wire.Window) error) error {
	if len(feeds) == 0 {
		return errors.New("stats: no feeds")
	}
	wc, conn, log, err := s.connect(ctx, req)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go conn.Keepalive(ctx, feedKeepalive, 3)
	var (
		mu    sync.Mutex // serialises emit
		wg    sync.WaitGroup
		first error
		once  sync.Once
	)
	for i, f := range feeds {
		wg.Go(func() {
			err := wc.StatsEvery(ctx, log, f.Filter, StatsOptions{By: f.By}, every, func(t *tally.Table, w wire.Window) error {
				mu.Lock()
				defer mu.Unlock()
				return emit(i, t, w)
			})
			if err == nil {
				err = errors.New("the server ended the stats")
			}
			once.Do(func() {
				first = err
				cancel() // one feed down: the connection's others go too
			})
		})
	}
	wg.Wait()
	return first
}

func (s *plainSource) StatsEvery(context.Context, Request, []StatsFeed, time.Duration, func(int, *tally.Table, wire.Window) error) error {
	return ErrPlainStats
}

// Permanent reports whether err, from a Source, is one that reconnecting
// cannot fix: a server's refusal, a host key or authentication problem,
// a protocol error.
func Permanent(err error) bool { return permanent(err) }
