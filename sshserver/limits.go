package sshserver

import (
	"sync"
	"time"
)

// Limits bound what clients can make the server do. A zero field takes
// its default; there is no "unlimited".
type Limits struct {
	// HandshakeTimeout bounds the SSH version and key exchange of a new
	// connection. Default 10s.
	HandshakeTimeout time.Duration
	// LoginGraceTime bounds authentication, after the key exchange (a
	// person may be typing a password). Default 60s.
	LoginGraceTime time.Duration
	// MaxAuthTries is the number of failed authentication attempts after
	// which a connection is dropped, like sshd's MaxAuthTries. Default 6.
	MaxAuthTries int
	// MaxUnauthenticated is the number of connections that may be in the
	// handshake or authentication at once; more are dropped at once, like
	// sshd's MaxStartups. Default 10.
	MaxUnauthenticated int
	// MaxConnections is the number of connections at once, authenticated
	// or not; more are dropped at once. Default 100.
	MaxConnections int
	// MaxSessions is the number of sessions open at once on one
	// connection, like sshd's MaxSessions. Default 10.
	MaxSessions int
	// KeepaliveInterval is how often the server asks an authenticated
	// client whether it is alive (keepalive@openssh.com, like sshd's
	// ClientAliveInterval). Default 15s.
	KeepaliveInterval time.Duration
	// KeepaliveCountMax is how many intervals may pass without an answer
	// before the connection is dropped (ClientAliveCountMax). Default 3.
	KeepaliveCountMax int
	// ShutdownGrace is how long, once the server's context ends, a
	// connection is given to close its ended sessions before it is cut.
	// Default 5s.
	ShutdownGrace time.Duration
}

// withDefaults returns l with zero (or negative) fields set to their
// defaults.
func (l Limits) withDefaults() Limits {
	dur := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	num := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	dur(&l.HandshakeTimeout, 10*time.Second)
	dur(&l.LoginGraceTime, 60*time.Second)
	num(&l.MaxAuthTries, 6)
	num(&l.MaxUnauthenticated, 10)
	num(&l.MaxConnections, 100)
	num(&l.MaxSessions, 10)
	dur(&l.KeepaliveInterval, 15*time.Second)
	num(&l.KeepaliveCountMax, 3)
	dur(&l.ShutdownGrace, 5*time.Second)
	return l
}

// gate counts holders of a limited resource and lets one wait until there
// are none.
type gate struct {
	max int

	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to 0; nil while n == 0
}

// enter takes a place, reporting false when all max places are taken.
func (g *gate) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n >= g.max {
		return false
	}
	if g.n == 0 {
		g.idle = make(chan struct{})
	}
	g.n++
	return true
}

// leave gives a place back.
func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n--
	if g.n == 0 {
		close(g.idle)
		g.idle = nil
	}
}

// done returns a channel that is closed once no place is taken.
func (g *gate) done() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n == 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	return g.idle
}
