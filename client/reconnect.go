package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// DialFunc makes a new connection to one host; FollowReconnect calls it
// again after each connection loss.
type DialFunc func(ctx context.Context) (*sshdial.Conn, error)

// ReconnectOptions tune FollowReconnect. The zero value reconnects forever
// with a backoff from 500 ms to 30 s and keepalives every 5 s.
type ReconnectOptions struct {
	MinBackoff, MaxBackoff time.Duration
	// Keepalive is the keepalive@openssh.com interval; three missed
	// answers close the connection. 0 means 5 s; negative, none.
	Keepalive time.Duration
	// OnRetry, when set, is told why a connection ended and how long
	// FollowReconnect waits before the next attempt.
	OnRetry func(err error, wait time.Duration)
}

// FollowReconnect follows log like Client.Follow, and on any loss of the
// connection reconnects with jittered exponential backoff and resumes from
// the cursor after the last line emitted: across a rotation that happened
// meanwhile, emitting every line exactly once. It returns when ctx ends,
// or on an error that retrying cannot fix (a refused host key,
// authentication, a log that is not available, a protocol error).
func FollowReconnect(ctx context.Context, dial DialFunc, log string, opt FollowOptions, ro ReconnectOptions, emit func(lines []byte) error) error {
	minB, maxB := ro.MinBackoff, ro.MaxBackoff
	if minB <= 0 {
		minB = 500 * time.Millisecond
	}
	if maxB < minB {
		maxB = max(30*time.Second, minB)
	}
	ka := ro.Keepalive
	if ka == 0 {
		ka = 5 * time.Second
	}
	backoff := minB
	for {
		progressed := false
		var emitErr error
		cursor, err := followOnce(ctx, dial, log, opt, ka, func(b []byte) error {
			progressed = true
			emitErr = emit(b)
			return emitErr
		})
		if emitErr != nil {
			return emitErr // the output failed (a full disk, a closed pipe): reconnecting cannot help
		}
		if cursor != "" {
			opt.Cursor = cursor
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			return nil // the server ended the follow: --until-path
		}
		if errors.Is(err, errCursorGone) {
			// The file we were reading is gone (rotated out and deleted
			// while we were away): what it still held is lost to us.
			// Carry on from the start of the live file.
			zero := 0
			opt.Cursor, opt.Lines = "", &zero
			err = fmt.Errorf("%w; continuing with the current file (lines may be missing)", err)
		} else if permanent(err) {
			return err
		}
		if progressed {
			backoff = minB
		}
		wait := backoff/2 + rand.N(backoff/2+1) // jitter: [backoff/2, backoff]
		if ro.OnRetry != nil {
			ro.OnRetry(err, wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff = min(backoff*2, maxB)
	}
}

var errCursorGone = errors.New("the file being followed is gone")

// followOnce dials, follows until the connection fails, and returns the
// cursor reached.
func followOnce(ctx context.Context, dial DialFunc, log string, opt FollowOptions, keepalive time.Duration, emit func([]byte) error) (string, error) {
	conn, err := dial(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	kctx, stop := context.WithCancel(ctx)
	defer stop()
	if keepalive > 0 {
		go conn.Keepalive(kctx, keepalive, 3)
	}
	cursor, err := New(conn).Follow(ctx, log, opt, emit)
	var re *wire.Error
	if opt.Cursor != "" && errors.As(err, &re) && re.Status == wire.StatusUnavailable && re.Message != "" {
		// The log was available when we started: the cursor's file is
		// what is missing.
		return cursor, fmt.Errorf("%w: %s", errCursorGone, re.Message)
	}
	return cursor, err
}

// permanent reports whether err cannot be fixed by reconnecting.
func permanent(err error) bool {
	var re *wire.Error
	switch {
	case errors.As(err, &re):
		return true
	case errors.Is(err, sshdial.ErrHostKeyChanged), errors.Is(err, sshdial.ErrHostKeyUnknown), errors.Is(err, sshdial.ErrHostKeyRevoked), errors.Is(err, sshdial.ErrAuth):
		return true
	case errors.Is(err, ErrProtocol):
		return true
	}
	return false
}
