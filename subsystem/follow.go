package subsystem

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/weblogctl/weblogctl/logfile"
	"github.com/weblogctl/weblogctl/wire"
)

// follow answers the follow verb: history, then appended lines across
// rotation, until ctx ends (the client went away or sent another request).
func follow(ctx context.Context, cfg *Config, req wire.Request, o output) error {
	l, err := cfg.Policy.Lookup(req.Log)
	if err != nil {
		return unavailable(req.Log)
	}
	opt := logfile.Options{Lines: wire.DefaultLines}
	if req.HasLines {
		opt.Lines = req.Lines
	}
	if req.Cursor != "" {
		c, err := parseCursor(req.Cursor)
		if err != nil {
			return wire.Errorf(wire.StatusUsage, fmt.Sprintf("follow: --cursor: %v", err))
		}
		opt.Resume = &c
	}
	src := logfile.Source{Path: l.Path, Open: l.OpenRelated, Siblings: l.Siblings}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wrote atomic.Bool // a frame went out since the last heartbeat check
	hb := req.Heartbeat
	if hb == 0 {
		hb = wire.DefaultHeartbeat
	}
	go heartbeat(ctx, hb, &wrote, o, cancel)

	err = logfile.Follow(ctx, src, opt, func(ev logfile.Event) error {
		wrote.Store(true)
		switch ev.Kind {
		case logfile.EventOpen:
			return o.open(wire.Open{Log: req.Log, ID: ev.ID.String(), Offset: ev.Offset, Size: ev.Size, Reason: ev.Reason})
		case logfile.EventData:
			return o.data(ev.Offset, ev.Data)
		}
		return nil
	})
	switch {
	case errors.Is(err, logfile.ErrCursorNotFound):
		return wire.Errorf(wire.StatusUnavailable, fmt.Sprintf("follow: log %s: the file of the cursor is gone", strconv.QuoteToASCII(req.Log)))
	case errors.Is(err, context.Canceled) && context.Cause(ctx) == context.Canceled:
		// The client left or asked for something else: a normal end.
		return o.end(wire.End{})
	case err != nil && ctx.Err() != nil:
		if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
			return cause
		}
		return o.end(wire.End{})
	case err != nil:
		if errors.Is(err, logfile.ErrUnavailable) {
			return unavailable(req.Log)
		}
		return err
	}
	return o.end(wire.End{})
}

// heartbeat sends a heartbeat every interval in which nothing else was
// sent. A failed write means the client is gone: it cancels the follow
// with that cause.
func heartbeat(ctx context.Context, every time.Duration, wrote *atomic.Bool, o output, cancel context.CancelCauseFunc) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if wrote.Swap(false) {
				continue
			}
			if err := o.heartbeat(); err != nil {
				cancel(err)
				return
			}
		}
	}
}

// parseCursor parses IDENTITY@OFFSET (PROTOCOL.md §4).
func parseCursor(s string) (logfile.Cursor, error) {
	idText, offText, ok := strings.Cut(s, "@")
	if !ok {
		return logfile.Cursor{}, errors.New("want IDENTITY@OFFSET")
	}
	id, err := logfile.ParseIdentity(idText)
	if err != nil {
		return logfile.Cursor{}, err
	}
	off, err := strconv.ParseInt(offText, 10, 64)
	if err != nil || off < 0 {
		return logfile.Cursor{}, errors.New("bad offset")
	}
	return logfile.Cursor{ID: id, Offset: off}, nil
}
