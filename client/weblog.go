package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weblogctl/weblogctl/wire"
)

// Client sends weblog requests (PROTOCOL.md) over one connection.
type Client struct {
	t        transport
	compress string                                  // a Compress mode
	rtt      func(ctx context.Context) time.Duration // measures the link; nil: cannot
	rttOnce  sync.Once
	rttValue time.Duration // the link's round trip, once measured
	parallel int           // ranges fetched at once: 0 automatic, 1 off
	noS2     atomic.Bool   // the server refused --compress=s2: use zstd
	progress func(n int)   // told of each n bytes Cat writes, or nil

	copyStart func(from, size int64) // told where each copy starts, or nil

	linkReport func(rtt time.Duration, compression string) // told how auto chose, or nil
	reportOnce sync.Once
}

// New returns a Client that runs each request in its own session on conn,
// through the weblog subsystem or, where sshd does not define it, a forced
// command.
func New(conn Conn, opts ...Option) *Client {
	rtt := func(ctx context.Context) time.Duration { return roundTrip(ctx, conn) }
	c := &Client{t: &sshTransport{conn: conn}, compress: CompressAuto, rtt: rtt}
	for _, o := range opts {
		o(c)
	}
	return c
}

// NewPipe returns a Client that speaks stream mode over r and w, e.g. to a
// weblog-server's stdout and stdin, or to subsystem.Serve in-process.
// Requests run one at a time; cancelling one closes w.
func NewPipe(r io.Reader, w io.WriteCloser) *Client {
	return &Client{t: &pipeTransport{r: r, w: w}}
}

// ErrProtocol means the server's answer is not the weblog protocol:
// typically a host where this key runs a shell, not weblog-server.
var ErrProtocol = errors.New("the server does not speak the weblog protocol")

// ErrDead means the server stopped sending, heartbeats included: the
// connection is dead, not quiet.
var ErrDead = errors.New("connection dead")

// RemoteError is a failure reported by weblog-server, with its exit status
// (PROTOCOL.md §5).
type RemoteError = wire.Error

// request runs req (framed) and calls fn for each frame until the final Z
// or E frame; it returns the Z frame's payload. fn may stop early by
// returning an error, which request returns.
// A positive idle ends the request with ErrDead when no frame arrives for
// that long.
func (c *Client) request(ctx context.Context, req wire.Request, idle time.Duration, fn func(wire.Frame) error) (wire.End, error) {
	end, err := c.send(ctx, req, idle, fn)
	return end, c.explainRefusal(ctx, req, err)
}

// send is request without explaining a refusal.
func (c *Client) send(ctx context.Context, req wire.Request, idle time.Duration, fn func(wire.Frame) error) (wire.End, error) {
	req.Framed = true
	var prepare func(*wire.Request)
	var asked string
	if req.Compress == decideLater {
		// Three round trips measure the link; they overlap opening the
		// session and the subsystem or exec request (two or three).
		go c.linkRTT(ctx)
		prepare = func(r *wire.Request) { r.Compress = c.compression(ctx); asked = r.Compress }
	}
	delivered := false
	end, err := c.requestOnce(ctx, req, idle, func(f wire.Frame) error { delivered = true; return fn(f) }, prepare)
	var we *wire.Error
	if asked == wire.CompressS2 && !delivered && errors.As(err, &we) && we.Status == wire.StatusUsage {
		// A server older than S2 refuses it before answering: ask it
		// for zstd, now and for the rest of this connection.
		c.noS2.Store(true)
		return c.requestOnce(ctx, req, idle, fn, prepare)
	}
	return end, err
}

// requestOnce is request without the fallback from S2.
func (c *Client) requestOnce(ctx context.Context, req wire.Request, idle time.Duration, fn func(wire.Frame) error, prepare func(*wire.Request)) (wire.End, error) {
	s, err := c.t.start(ctx, req, prepare)
	if err != nil {
		return wire.End{}, err
	}
	defer s.close()
	var dead atomic.Bool
	var watchdog *time.Timer
	if idle > 0 {
		watchdog = time.AfterFunc(idle, func() {
			dead.Store(true)
			s.close()
		})
		defer watchdog.Stop()
	}
	for first := true; ; first = false {
		f, err := s.frames.Next()
		if err != nil {
			if ctx.Err() != nil {
				return wire.End{}, ctx.Err()
			}
			if dead.Load() {
				return wire.End{}, fmt.Errorf("%w: nothing heard for %s", ErrDead, idle)
			}
			return wire.End{}, s.failure(first, err)
		}
		if watchdog != nil {
			watchdog.Reset(idle)
		}
		switch f.Type {
		case wire.FrameEnd:
			var e wire.End
			return e, f.Decode(&e)
		case wire.FrameError:
			var p wire.ErrorPayload
			if err := f.Decode(&p); err != nil {
				return wire.End{}, err
			}
			return wire.End{}, &wire.Error{Status: p.Status, Message: wire.Sanitize(p.Message)}
		case wire.FrameMeta, wire.FrameOpen, wire.FrameData, wire.FrameRedacted, wire.FrameHeartbeat, wire.FrameAggregate:
		default:
			if first {
				return wire.End{}, s.failure(true, fmt.Errorf("unexpected first byte %q", f.Type))
			}
			continue // PROTOCOL.md §3.2: ignore unknown frame types
		}
		if err := fn(f); err != nil {
			return wire.End{}, err
		}
	}
}

// failure explains a stream that ended without a final frame, using the
// remote exit status and stderr where there are any.
func (s *stream) failure(first bool, readErr error) error {
	s.close()
	werr := s.wait()
	if err := loginShellError(werr, s.stderr, s.head); err != nil {
		return err
	}
	msg := wire.Sanitize(s.stderr.message())
	var exit interface{ ExitStatus() int }
	if errors.As(werr, &exit) && exit.ExitStatus() > 0 && exit.ExitStatus() <= int(wire.StatusLimit) && msg != "" {
		return &wire.Error{Status: wire.Status(exit.ExitStatus()), Message: msg}
	}
	if first && readErr != io.EOF {
		if msg != "" {
			return fmt.Errorf("%w (%s)", ErrProtocol, msg)
		}
		return ErrProtocol
	}
	if msg != "" {
		return fmt.Errorf("connection lost: %w (%s)", readErr, msg)
	}
	return fmt.Errorf("connection lost: %w", readErr)
}
