package client

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// StatsOptions are the options of Stats besides the filter.
type StatsOptions struct {
	By        []tally.Key // group keys; none: one group of every selected line
	MaxGroups int         // group cap; 0: the server's default (tally.DefaultMaxGroups)
	Rotated   int         // the Nth newest rotated file instead of the live one
}

// Stats asks the server to aggregate the lines of log that spec selects
// (PROTOCOL.md §2.2) and returns the table: only the aggregate crosses the
// network. Tables from several hosts or files merge with
// [tally.Table.Merge].
func (c *Client) Stats(ctx context.Context, log string, spec accesslog.FilterSpec, opt StatsOptions) (*tally.Table, error) {
	spec, err := wireFilter(spec)
	if err != nil {
		return nil, err
	}
	req := wire.Request{Verb: wire.VerbStats, Log: log, Filter: spec, Rotated: opt.Rotated,
		Stats: wire.StatsOptions{By: tally.JoinKeys(opt.By), MaxGroups: opt.MaxGroups}}
	var dec wire.TableDecoder
	var table *tally.Table
	_, err = c.request(ctx, req, 0, func(f wire.Frame) error {
		if f.Type != wire.FrameAggregate {
			return nil
		}
		if table != nil {
			return errors.New("stats: more than one table in the answer")
		}
		t, _, err := dec.Add(f.Payload)
		table = t
		return err
	})
	if err != nil {
		return nil, err
	}
	if table == nil {
		return nil, errors.New("stats: the answer ended without a complete table")
	}
	return table, nil
}

// StatsHistory is Stats over the log's whole history: its rotated files
// and the live one, merged.
func (c *Client) StatsHistory(ctx context.Context, log string, spec accesslog.FilterSpec, opt StatsOptions) (*tally.Table, error) {
	info, err := c.logInfo(ctx, log)
	if err != nil {
		return nil, err
	}
	var all *tally.Table
	for n := len(info.Rotated); n >= 0; n-- {
		opt.Rotated = n
		t, err := c.Stats(ctx, log, spec, opt)
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = t
		} else if err := all.Merge(t); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// StatsEvery asks for a following stats (PROTOCOL.md §2.2): emit receives,
// every interval, the table of the lines the server read in that interval
// (the log as it was first, then what is appended), until ctx ends or emit
// returns an error. Tables are deltas: merge them to build a window. A
// server silent for three intervals is dead (ErrDead).
func (c *Client) StatsEvery(ctx context.Context, log string, spec accesslog.FilterSpec, opt StatsOptions, every time.Duration, emit func(*tally.Table, wire.Window) error) error {
	spec, err := wireFilter(spec)
	if err != nil {
		return err
	}
	req := wire.Request{Verb: wire.VerbStats, Log: log, Filter: spec,
		Stats: wire.StatsOptions{By: tally.JoinKeys(opt.By), MaxGroups: opt.MaxGroups, Every: every}}
	if _, overSSH := c.t.(*sshTransport); overSSH && c.compress != CompressNone {
		// Compressed unless the user said none, whatever the link: the
		// stream's window holds the previous tables, so the group keys
		// that every table repeats cost little (PROTOCOL.md §3.3).
		req.Compress = wire.CompressZstd
	}
	err = c.statsEvery(ctx, req, every, emit)
	var we *wire.Error
	if req.Compress != "" && errors.As(err, &we) && we.Status == wire.StatusUsage && strings.Contains(we.Message, "compress") {
		req.Compress = "" // a server from before compressed stats
		err = c.statsEvery(ctx, req, every, emit)
	}
	return err
}

// statsEvery sends a following stats request and passes its tables to
// emit.
func (c *Client) statsEvery(ctx context.Context, req wire.Request, every time.Duration, emit func(*tally.Table, wire.Window) error) error {
	var dec wire.TableDecoder
	_, err := c.request(ctx, req, 3*every+5*time.Second, func(f wire.Frame) error {
		if f.Type != wire.FrameAggregate {
			return nil
		}
		t, w, err := dec.Add(f.Payload)
		if err != nil || t == nil {
			return err
		}
		return emit(t, w)
	})
	return err
}
