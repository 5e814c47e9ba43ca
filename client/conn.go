package client

import (
	"context"
	"time"

	"golang.org/x/crypto/ssh"
)

// Conn is the SSH connection a Client runs its requests on: an
// *ssh.Client, or an *sshdial.Conn (which embeds one). Each request takes
// a new session; global requests measure the link.
type Conn interface {
	NewSession() (*ssh.Session, error)
	SendRequest(name string, wantReply bool, payload []byte) (bool, []byte, error)
}

// roundTrip measures the round-trip time to the server on conn: the fastest
// of three keepalive requests and their answers (the first ones after login
// can be slow on a busy server). It returns a large value when a request
// fails.
func roundTrip(ctx context.Context, conn Conn) time.Duration {
	best := time.Hour
	for range 3 {
		start := time.Now()
		done := make(chan error, 1)
		go func() {
			_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
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
