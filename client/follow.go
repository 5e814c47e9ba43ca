package client

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/wire"
)

// FollowOptions says where a follow starts.
type FollowOptions struct {
	// Lines of history to start with; nil asks for the server's default.
	Lines *int
	// Cursor resumes just after a cursor returned by an earlier Follow,
	// instead of Lines.
	Cursor string
	// Heartbeat asks the server for a heartbeat this often while the log
	// is quiet; 0 means the protocol default. After three missed
	// heartbeats Follow gives up with ErrDead.
	Heartbeat time.Duration
	// Filter selects the lines; the server applies it.
	Filter accesslog.FilterSpec
	// OnOpen, when set, is told each time the data starts coming from a
	// file: the first one (the start position is then fixed, so lines
	// appended from now on will be delivered) and each after a rotation.
	OnOpen func(wire.Open)
}

// Follow streams the log: history, then lines as they are appended, across
// rotations, until ctx ends or the connection fails. emit receives whole
// lines (one or more per call; the slice is reused after emit returns).
// Follow returns the cursor after the last line emitted, for resuming.
func (c *Client) Follow(ctx context.Context, log string, opt FollowOptions, emit func(lines []byte) error) (string, error) {
	spec, err := wireFilter(opt.Filter)
	if err != nil {
		return opt.Cursor, err
	}
	req := wire.Request{Verb: wire.VerbFollow, Log: log, Cursor: opt.Cursor, Heartbeat: opt.Heartbeat, Filter: spec}
	if opt.Lines != nil {
		req.Lines, req.HasLines = *opt.Lines, true
	}
	hb := opt.Heartbeat
	if hb == 0 {
		hb = wire.DefaultHeartbeat
	}
	cursor := opt.Cursor
	// At-least-once on the wire, exactly-once out: bytes of the cursor's
	// file before the cursor were emitted already, and are dropped.
	doneID, doneOff := splitCursor(opt.Cursor)
	var id string
	next := int64(-1)
	_, err = c.request(ctx, req, 3*hb, func(f wire.Frame) error {
		switch f.Type {
		case wire.FrameOpen:
			var o wire.Open
			if err := f.Decode(&o); err != nil {
				return err
			}
			id, next = o.ID, o.Offset
			if opt.OnOpen != nil {
				opt.OnOpen(o)
			}
		case wire.FrameData, wire.FrameRedacted:
			off, span, data, err := lineData(f)
			if err != nil {
				return err
			}
			// Filtered lines leave gaps, but never go back.
			if id == "" || off < next {
				return fmt.Errorf("%w: data at offset %d, expected %d or later", ErrProtocol, off, next)
			}
			next = off + span
			if id == doneID && off < doneOff {
				if f.Type == wire.FrameRedacted {
					return nil // redacted lines are resent whole or not at all
				}
				data = data[min(doneOff-off, int64(len(data))):]
			}
			if len(data) == 0 {
				return nil
			}
			if err := emit(data); err != nil {
				return err
			}
			cursor = id + "@" + strconv.FormatInt(next, 10)
		}
		return nil
	})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // the server acknowledged our leaving
	}
	return cursor, err
}

// splitCursor splits IDENTITY@OFFSET; a malformed cursor yields no file.
func splitCursor(c string) (string, int64) {
	i := strings.LastIndexByte(c, '@')
	if i < 0 {
		return "", 0
	}
	off, err := strconv.ParseInt(c[i+1:], 10, 64)
	if err != nil {
		return "", 0
	}
	return c[:i], off
}

// lineData returns the file range a D or R frame covers and its bytes.
func lineData(f wire.Frame) (off, span int64, data []byte, err error) {
	if f.Type == wire.FrameRedacted {
		return f.RedactedData()
	}
	off, data, err = f.DataOffset()
	return off, int64(len(data)), data, err
}
