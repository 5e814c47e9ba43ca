package client

import (
	"context"
	"time"
)

// Keepalive sends keepalive@openssh.com requests on c every interval, like
// ssh's ServerAliveInterval, and closes c when maxMissed in a row go
// unanswered (a reply of either kind counts as an answer, as in OpenSSH).
// Closing c makes every request on it fail, so a dead link is noticed
// within interval*maxMissed even when no data is due. Keepalive returns
// when ctx ends or c is closed.
func (c *Conn) Keepalive(ctx context.Context, interval time.Duration, maxMissed int) {
	if interval <= 0 {
		return
	}
	maxMissed = max(maxMissed, 1)
	t := time.NewTicker(interval)
	defer t.Stop()
	answered := make(chan error, 1)
	outstanding, missed := false, 0
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-answered:
			if err != nil {
				return // the connection is closed
			}
			outstanding, missed = false, 0
		case <-t.C:
			if outstanding {
				if missed++; missed >= maxMissed {
					c.Close()
					return
				}
				continue
			}
			outstanding = true
			go func() {
				_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
				answered <- err
			}()
		}
	}
}

// roundTrip measures the round-trip time to the server: the fastest of
// three keepalive requests and their answers (the first ones after login
// can be slow on a busy server). It returns a large value when a request
// fails.
func (c *Conn) roundTrip(ctx context.Context) time.Duration {
	best := time.Hour
	for range 3 {
		start := time.Now()
		done := make(chan error, 1)
		go func() {
			_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				return time.Hour
			}
			best = min(best, time.Since(start))
		case <-ctx.Done():
			return time.Hour
		}
	}
	return best
}
