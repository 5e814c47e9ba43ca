package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/weblogctl/weblogctl/wire"
)

// transport opens one request stream: the request line goes to the server
// and its framed answer comes back.
type transport interface {
	// start sends req; prepare, if not nil, may still change it right
	// before it is sent.
	start(ctx context.Context, req wire.Request, prepare func(*wire.Request)) (*stream, error)
}

// stream is one request in flight.
type stream struct {
	frames *wire.FrameReader
	stderr *limitedBuffer // the server's stderr, for messages
	head   *headRecorder  // the first bytes of the answer, or nil (a pipe)
	close  func() error   // ends the request and releases it
	wait   func() error   // waits for the remote exit status, if any
}

// sshTransport runs each request in a new SSH session: the weblog
// subsystem when sshd defines it, else exec of the request line (a forced
// command). The first answer decides for later requests.
type sshTransport struct {
	conn Conn
	mu   sync.Mutex
	exec bool // the subsystem was refused once: use exec
}

func (t *sshTransport) start(ctx context.Context, req wire.Request, prepare func(*wire.Request)) (*stream, error) {
	t.mu.Lock()
	useExec := t.exec
	t.mu.Unlock()
	return t.startSession(ctx, req, useExec, prepare)
}

func (t *sshTransport) startSession(ctx context.Context, req wire.Request, exec bool, prepare func(*wire.Request)) (*stream, error) {
	if prepare == nil {
		prepare = func(*wire.Request) {}
	}
	sess, err := t.conn.NewSession()
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("open session: %w", err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("open session: %w", err)
	}
	stderr := &limitedBuffer{max: 64 << 10}
	sess.Stderr = stderr
	if !exec {
		if err = sess.RequestSubsystem(wire.SubsystemName); err == nil {
			prepare(&req)
			_, err = io.WriteString(stdin, req.String()+"\n")
		} else {
			// Refused: a forced command, most likely. The same session
			// takes the exec request (RFC 4254 §6.5: only a request that
			// succeeds starts it), which saves opening another: one
			// round trip.
			t.mu.Lock()
			t.exec = true
			t.mu.Unlock()
			exec = true
		}
	}
	if exec {
		prepare(&req)
		err = sess.Start(req.String())
	}
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("start request: %w", err)
	}
	head := &headRecorder{r: stdout}
	var answer io.Reader = head
	release := func() {}
	if req.Compress != "" {
		if answer, release, err = answerReader(head); err != nil {
			sess.Close()
			return nil, fmt.Errorf("start request: %w", err)
		}
	}
	stop := context.AfterFunc(ctx, func() { sess.Close() })
	return &stream{
		frames: wire.NewFrameReader(answer),
		stderr: stderr,
		head:   head,
		close: func() error {
			stop()
			stdin.Close()
			err := sess.Close()
			release()
			return err
		},
		wait: sess.Wait,
	}, nil
}

// pipeTransport speaks stream mode over a reader/writer pair, one request
// at a time. Cancelling a request closes w, which ends the session.
type pipeTransport struct {
	r  io.Reader
	w  io.WriteCloser
	mu sync.Mutex
}

func (t *pipeTransport) start(ctx context.Context, req wire.Request, prepare func(*wire.Request)) (*stream, error) {
	if prepare != nil {
		prepare(&req)
	}
	t.mu.Lock()
	if _, err := io.WriteString(t.w, req.String()+"\n"); err != nil {
		t.mu.Unlock()
		return nil, fmt.Errorf("send request: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { t.w.Close() })
	return &stream{
		frames: wire.NewFrameReader(t.r),
		stderr: &limitedBuffer{max: 1},
		close: func() error {
			stop()
			t.mu.Unlock()
			return nil
		},
		wait: func() error { return nil },
	}, nil
}

// limitedBuffer keeps the first max bytes written to it and drops the
// rest, so a hostile server cannot grow our memory through stderr.
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// contains reports whether what b kept contains s.
func (b *limitedBuffer) contains(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Contains(b.buf.Bytes(), []byte(s))
}

// message returns the server's last stderr line without its prefix.
func (b *limitedBuffer) message() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSpace(b.buf.String())
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimPrefix(s, wire.ErrorPrefix)
}
