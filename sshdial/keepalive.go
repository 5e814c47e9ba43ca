package sshdial

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
