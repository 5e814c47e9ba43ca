package client

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// Source is one host's logs as weblogctl's commands read them, whichever
// way the host serves them: weblog-server (the weblog protocol) or plain
// mode (a file read through an ordinary shell account). Each call makes
// its own connection through the source's DialFunc and closes it before
// returning. A new kind of request (e.g. server-side statistics) is a new
// method here, implemented once per mode; callers do not branch on the
// mode.
type Source interface {
	// List returns the logs the host offers, and until when the access
	// is valid when the host says.
	List(ctx context.Context) (wire.Listing, error)
	// Lines passes the lines req selects to emit, one or more whole lines
	// per call (the slice is reused after emit returns): the whole log,
	// or with req.Follow its last req.Lines lines and then new ones until
	// ctx ends. It returns nil at the --until-path request.
	Lines(ctx context.Context, req Request, emit func(lines []byte) error) error
	// Copy writes the log's bytes (its whole history with req.History) to w,
	// verified where the mode can.
	Copy(ctx context.Context, req Request, w io.Writer) error
	// CopyFile copies the log to the file dest returns for the log's name
	// (the LOG, or the base name of the plain-mode path), written beside it
	// and renamed into place once complete; it returns the file's path.
	CopyFile(ctx context.Context, req Request, dest func(name string) (string, error)) (string, error)
	// Stats aggregates the lines of the log (its whole history with
	// req.History) that req.Filter selects into a table grouped as opt
	// says: on the server in weblog mode (only the table crosses the
	// network), here in plain mode.
	Stats(ctx context.Context, req Request, opt StatsOptions) (*tally.Table, error)
	// StatsEvery runs a following stats (PROTOCOL.md §2.2.2) of req.Log
	// for each feed, all on one connection, and passes each interval's
	// table to emit (one call at a time) with the feed's index, until ctx
	// ends or a feed fails, which ends them all (weblog mode only).
	StatsEvery(ctx context.Context, req Request, feeds []StatsFeed, every time.Duration, emit func(feed int, t *tally.Table, w wire.Window) error) error
}

// Request is what a command asks of a Source. Fields a request kind does
// not use are ignored.
type Request struct {
	// Log names the log; "" means the host's first log. Plain mode reads
	// its configured path instead.
	Log string
	// History reads the rotated files too, oldest first, then the live
	// file (weblog mode).
	History bool
	// Filter selects lines: on the server in weblog mode, here in plain
	// mode.
	Filter accesslog.FilterSpec
	// Follow makes Lines follow the log, starting with its last Lines lines.
	Follow bool
	Lines  int
	// Heartbeat is the follow's heartbeat interval (weblog mode).
	Heartbeat time.Duration
	// Reconnect, when not nil, makes a follow reconnect after a lost
	// connection and resume exactly (weblog mode); nil ends the follow
	// with the connection, keeping it alive every Keepalive.
	Reconnect *ReconnectOptions
	// Keepalive is the keepalive interval without Reconnect; <= 0: none.
	Keepalive time.Duration
	// OnOpen is told each file a follow starts reading (weblog mode).
	OnOpen func(wire.Open)
	// Progress, when set, is told of each n bytes of log Copy and
	// CopyFile write (weblog mode; see WithProgress).
	Progress func(n int)
	// OnCopyStart, when set, is told where each file's copy starts and
	// the file's size (weblog mode; see WithCopyStart).
	OnCopyStart func(from, size int64)
	// OnLink, when set, is told the link's round trip and the compression
	// --compress auto chose for it (weblog mode; see WithLinkReport).
	OnLink func(rtt time.Duration, compression string)
}

// SourceConfig says how a Source reaches its host's logs.
type SourceConfig struct {
	// Path, when not "", selects plain mode: the file at Path through
	// `cat` and `tail -F`, with nothing installed on the host.
	Path string
	// LogFormat is the logs' format for plain mode's local filter; the zero
	// Format detects it.
	LogFormat accesslog.Format
	// Options configure the weblog client.
	Options []Option
}

// NewSource returns the Source that cfg describes, connecting through dial.
func NewSource(dial DialFunc, cfg SourceConfig) Source {
	if cfg.Path != "" {
		return &plainSource{dial: dial, path: cfg.Path, format: cfg.LogFormat}
	}
	return &weblogSource{dial: dial, opts: cfg.Options}
}

// weblogSource reads logs through weblog-server.
type weblogSource struct {
	dial DialFunc
	opts []Option
}

// connect dials and returns a client and the log that log names.
func (s *weblogSource) connect(ctx context.Context, req Request) (*Client, *sshdial.Conn, string, error) {
	conn, err := s.dial(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	// The connection is this call's alone: when ctx ends (Ctrl-C), close
	// it, so that a request waiting on a stalled link returns at once
	// instead of when keepalives give up. Closing twice is harmless.
	context.AfterFunc(ctx, func() { conn.Close() })
	opts := s.opts
	if req.Progress != nil {
		opts = append(opts[:len(opts):len(opts)], WithProgress(req.Progress))
	}
	if req.OnCopyStart != nil {
		opts = append(opts[:len(opts):len(opts)], WithCopyStart(req.OnCopyStart))
	}
	if req.OnLink != nil {
		opts = append(opts[:len(opts):len(opts)], WithLinkReport(req.OnLink))
	}
	wc := New(conn, opts...)
	log, err := DefaultLog(ctx, wc, req.Log)
	if err != nil {
		conn.Close()
		return nil, nil, "", err
	}
	return wc, conn, log, nil
}

func (s *weblogSource) List(ctx context.Context) (wire.Listing, error) {
	conn, err := s.dial(ctx)
	if err != nil {
		return wire.Listing{}, err
	}
	defer conn.Close()
	return New(conn, s.opts...).Listing(ctx)
}

func (s *weblogSource) Lines(ctx context.Context, req Request, emit func([]byte) error) error {
	wc, conn, log, err := s.connect(ctx, req)
	if err != nil {
		return err
	}
	if !req.Follow {
		defer conn.Close()
		if req.History {
			err = wc.FilterHistory(ctx, log, req.Filter, emit)
		} else {
			err = wc.Filter(ctx, log, req.Filter, emit)
		}
		return withOffered(ctx, req.Log, err, wc.List)
	}
	n := req.Lines
	opt := FollowOptions{Lines: &n, Heartbeat: req.Heartbeat, Filter: req.Filter, OnOpen: req.OnOpen}
	if req.Reconnect == nil {
		defer conn.Close()
		if req.Keepalive > 0 {
			go conn.Keepalive(ctx, req.Keepalive, 3)
		}
		_, err = wc.Follow(ctx, log, opt, emit)
		return withOffered(ctx, req.Log, err, wc.List)
	}
	first := conn // the connection that found the log carries the first follow
	dial := func(ctx context.Context) (*sshdial.Conn, error) {
		if c := first; c != nil {
			first = nil
			return c, nil
		}
		return s.dial(ctx)
	}
	err = FollowReconnect(ctx, dial, log, opt, *req.Reconnect, emit)
	if first != nil {
		first.Close()
	}
	return withOffered(ctx, req.Log, err, s.listLogs) // the follow's connection is closed: a new one
}

// listLogs lists the host's logs on a connection of its own.
func (s *weblogSource) listLogs(ctx context.Context) ([]wire.LogInfo, error) {
	conn, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return New(conn, s.opts...).List(ctx)
}

func (s *weblogSource) Copy(ctx context.Context, req Request, w io.Writer) error {
	wc, conn, log, err := s.connect(ctx, req)
	if err != nil {
		return err
	}
	defer conn.Close()
	if req.History {
		err = wc.FetchHistory(ctx, log, w)
	} else {
		_, err = wc.Cat(ctx, log, CatOptions{}, w)
	}
	return withOffered(ctx, req.Log, err, wc.List)
}

func (s *weblogSource) CopyFile(ctx context.Context, req Request, dest func(string) (string, error)) (string, error) {
	wc, conn, log, err := s.connect(ctx, req)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	file, err := dest(log)
	if err != nil {
		return "", err
	}
	if req.History {
		err = wc.FetchHistoryFile(ctx, log, file)
	} else {
		_, err = wc.FetchFile(ctx, log, file)
	}
	return file, withOffered(ctx, req.Log, err, wc.List)
}

func (s *weblogSource) Stats(ctx context.Context, req Request, opt StatsOptions) (*tally.Table, error) {
	wc, conn, log, err := s.connect(ctx, req)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if req.History {
		return wc.StatsHistory(ctx, log, req.Filter, opt)
	}
	return wc.Stats(ctx, log, req.Filter, opt)
}

// DefaultLog returns log, or when it is "" the server's first log.
func DefaultLog(ctx context.Context, wc *Client, log string) (string, error) {
	if log != "" {
		return log, nil
	}
	logs, err := wc.List(ctx)
	if err != nil {
		return "", err
	}
	if len(logs) == 0 {
		return "", fmt.Errorf("the server offers no logs")
	}
	if err := wire.CheckLogName(logs[0].Name); err != nil {
		return "", fmt.Errorf("the server's first log: %s", err)
	}
	return logs[0].Name, nil
}
