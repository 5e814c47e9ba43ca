package subsystem

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/wire"
)

// Exec serves one session of one request line (exec mode, PROTOCOL.md
// §1) for the client id and returns the exit status. It returns when the
// answer is complete or ctx is done; the caller cancels ctx when the
// client goes away. The session holds one of the profile's session slots
// while it runs; when none is free it is refused with status 5.
func (s *Server) Exec(ctx context.Context, id Identity, line string, out, errOut io.Writer) wire.Status {
	ss, release, werr := s.start(id, strings.TrimSuffix(line, "\n"), errOut)
	if werr != nil {
		return werr.Status
	}
	defer release()
	return ss.handle(ctx, line, out, errOut)
}

// Serve serves one session of request lines read from in until in ends
// (stream mode, PROTOCOL.md §1) for the client id, and returns the status
// of the last request. The end of in, or a new request line, ends a
// running follow; ctx ends everything. The session holds one of the
// profile's session slots while it runs; when none is free it is refused
// with status 5 before any request is read.
func (s *Server) Serve(ctx context.Context, id Identity, in io.Reader, out, errOut io.Writer) wire.Status {
	ss, release, werr := s.start(id, "", errOut)
	if werr != nil {
		return werr.Status
	}
	defer release()
	return ss.serve(ctx, in, out, errOut)
}

// serve is Serve once the session has started.
func (ss *session) serve(ctx context.Context, in io.Reader, out, errOut io.Writer) wire.Status {
	idleTimeout := ss.profile.IdleTimeout
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	lines := make(chan request)
	go readRequests(readCtx, in, lines)

	status := wire.StatusOK
	var pending *request
	for {
		var r request
		if pending != nil {
			r, pending = *pending, nil
		} else {
			var idle <-chan time.Time
			var t *time.Timer
			if idleTimeout > 0 {
				t = time.NewTimer(idleTimeout)
				idle = t.C
			}
			var ok, timedOut bool
			select {
			case r, ok = <-lines:
			case <-ctx.Done():
				return status
			case <-idle:
				timedOut = true
			}
			if t != nil {
				t.Stop()
			}
			if timedOut {
				newOutput(false, io.Discard, errOut).fail(wire.Errorf(wire.StatusLimit, fmt.Sprintf("idle for %s: session closed", idleTimeout)))
				return wire.StatusLimit
			}
			if !ok {
				return status
			}
		}
		if r.err != nil {
			// The request stream itself is unusable (an overlong line):
			// answer and end the session.
			newOutput(r.framed, out, errOut).fail(r.err)
			return r.err.Status
		}
		hctx, cancel := context.WithCancel(ctx)
		done := make(chan wire.Status, 1)
		go func() { done <- ss.handle(hctx, r.line, out, errOut) }()
		recv, eof := lines, false
		for finished := false; !finished; {
			select {
			case status = <-done:
				finished = true
			case next, ok := <-recv:
				recv = nil // hold further lines until this request is done
				if ok {
					pending = &next
				} else {
					eof = true
				}
				if r.follows {
					cancel()
				}
			}
		}
		cancel()
		if eof {
			return status
		}
	}
}

// request is one line read in stream mode, or the error that ended reading.
type request struct {
	line    string
	follows bool // a follow, which the next line or the end of input ends
	framed  bool // whether to report err framed
	err     *wire.Error
}

// readRequests sends each request line read from in, and closes lines at
// the end of in. A line longer than wire.MaxRequest is never buffered
// whole: it is sent as an error and reading stops.
func readRequests(ctx context.Context, in io.Reader, lines chan<- request) {
	defer close(lines)
	br := bufio.NewReaderSize(in, wire.MaxRequest+1)
	for {
		b, err := br.ReadSlice('\n')
		var r request
		switch {
		case err == bufio.ErrBufferFull:
			r = request{framed: bytes.Contains(b, []byte(" --framed")),
				err: wire.Errorf(wire.StatusLimit, fmt.Sprintf("request longer than %d bytes", wire.MaxRequest))}
		case err != nil && (err != io.EOF || len(b) == 0):
			return
		default:
			r.line = string(b)
			req, perr := wire.ParseRequest(r.line)
			r.follows = perr == nil && (req.Verb == wire.VerbFollow || req.Stats.Every > 0)
		}
		select {
		case lines <- r:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// newOutput picks the output for a request.
func newOutput(framed bool, out, errOut io.Writer) output {
	if framed {
		return &framedOutput{fw: wire.NewFrameWriter(out)}
	}
	return &rawOutput{w: out, errOut: errOut}
}

// errorFor maps an error from a handler to the wire error the client sees.
func errorFor(err error) *wire.Error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	return wire.Errorf(wire.StatusInternal, fmt.Sprintf("internal error: %v", err))
}
