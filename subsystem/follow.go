package subsystem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/logfile"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// follow answers the follow verb: history, then appended lines across
// rotation, until ctx ends (the client went away or sent another request).
func follow(ctx context.Context, ss *session, req wire.Request, o output) error {
	l, err := ss.policy.Lookup(req.Log)
	if err != nil {
		return unavailable(req.Log)
	}
	opt := logfile.Options{Lines: wire.DefaultLines}
	if req.HasLines {
		opt.Lines = req.Lines
	}
	if req.Cursor != "" {
		c, err := logfile.ParseCursor(req.Cursor)
		if err != nil {
			return wire.Errorf(wire.StatusUsage, "follow: --cursor: not a cursor from this protocol")
		}
		opt.Resume = &c
	}
	src := logfile.Source{Path: l.Path, Open: l.OpenRelated, Siblings: l.Siblings}
	var sel *accesslog.Selector
	if req.Filter != (accesslog.FilterSpec{}) {
		c, err := openContent(ss, wire.Request{Log: req.Log})
		if err != nil {
			return err
		}
		sel, err = newSelector(req.Filter, c, ss.format(req.Log), time.Now())
		c.close()
		if err != nil {
			return err
		}
	}
	red := ss.redactor(req.Log)
	p := newPipeline(sel, red, o)

	ctx, stop := followLimit(ctx, ss)
	defer stop()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if req.Framed { // raw output has no way to say "alive"
		hb := req.Heartbeat
		if hb == 0 {
			hb = wire.DefaultHeartbeat
		}
		go heartbeat(ctx, hb, o, cancel)
	}

	err = logfile.Follow(ctx, src, opt, func(ev logfile.Event) error {
		switch ev.Kind {
		case logfile.EventOpen:
			return o.open(wire.Open{Log: req.Log, ID: ev.ID.String(), Offset: ev.Offset, Reason: ev.Reason})
		case logfile.EventData:
			stop, err := p.lines(ev.Offset, ev.Data)
			if err == nil {
				err = p.flush()
			}
			if err == nil && stop {
				err = errStop
			}
			return err
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return o.end(wire.End{}) // the --until-path request was seen
	}
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != context.Canceled {
			return cause // a heartbeat could not be written: the client is gone
		}
		return o.end(wire.End{}) // the client left or sent another request
	}
	if errors.Is(err, logfile.ErrCursorNotFound) {
		return wire.Errorf(wire.StatusUnavailable, fmt.Sprintf("follow: log %s: the file of the cursor is gone", strconv.QuoteToASCII(req.Log)))
	}
	if err != nil {
		return followError(req.Log, err)
	}
	return o.end(wire.End{})
}

// followLimit bounds a following request by the profile's MaxFollow:
// when it is reached, ctx's cause is a StatusLimit error that says so.
func followLimit(ctx context.Context, ss *session) (context.Context, context.CancelFunc) {
	if ss.profile.MaxFollow <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, ss.profile.MaxFollow,
		wire.Errorf(wire.StatusLimit, fmt.Sprintf("follow time limit reached: this key may follow for at most %s", ss.profile.MaxFollow)))
}

// followError maps the error that ended logfile.Follow on log to what
// the client is told: a log that is gone or no longer allowed as
// unavailable, a protocol error as it is, anything else as a read error
// (whose details stay in the server's own log, not on the wire).
func followError(log string, err error) error {
	var we *wire.Error
	switch {
	case errors.Is(err, policy.ErrUnavailable) || errors.Is(err, fs.ErrNotExist):
		return unavailable(log)
	case errors.As(err, &we):
		return err
	}
	return readError(log)
}

// errStop ends a follow at the --until-path request.
var errStop = errors.New("stop requested by --until-path")

// heartbeat sends a heartbeat every interval, whatever else is sent (a
// busy log whose lines the filter drops sends nothing else). A failed
// write means the client is gone: it cancels the follow with that cause.
func heartbeat(ctx context.Context, every time.Duration, o output, cancel context.CancelCauseFunc) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := o.heartbeat(); err != nil {
				cancel(err)
				return
			}
		}
	}
}
