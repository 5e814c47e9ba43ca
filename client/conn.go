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

// roundTrip measures the round-trip time to the server on conn with
// keepalive requests and their answers (see fastest). It returns a large
// value when a request fails.
func roundTrip(ctx context.Context, conn Conn) time.Duration {
	return fastest(func() (time.Duration, error) {
		start := time.Now()
		done := make(chan error, 1)
		go func() {
			_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
			done <- err
		}()
		select {
		case err := <-done:
			return time.Since(start), err
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
}

// Probes of the round trip: the fastest of three counts (the first ones
// after login can be slow on a busy server), unless it is near slowRTT,
// where loopback under load and a LAN meet: then up to maxProbes, since
// one fast answer is proof of a fast link and a busy loopback answers
// fast now and then, while a LAN's round trip never goes below its wire.
const (
	minProbes = 3
	maxProbes = 12
)

// fastest returns the fastest of the round trips probe measures: minProbes
// of them, or up to maxProbes while the fastest is between slowRTT/2 and
// 4×slowRTT. It returns a large value when a probe fails.
func fastest(probe func() (time.Duration, error)) time.Duration {
	best := time.Hour
	for n := 0; n < maxProbes; n++ {
		if n >= minProbes && (best < slowRTT/2 || best >= 4*slowRTT) {
			break
		}
		d, err := probe()
		if err != nil {
			return time.Hour
		}
		best = min(best, d)
	}
	return best
}
