package sshserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/subsystem"
)

// conn is one client connection after login.
type conn struct {
	srv      *Server
	id       uint64
	sconn    *ssh.ServerConn
	sub      *subsystem.Server // what serves its sessions
	noPTY    bool              // the key's authorized_keys line says restrict or no-pty
	noMore   atomic.Bool       // the client sent no-more-sessions@openssh.com
	refusals atomic.Int32
}

// maxRefusalLogs bounds the refusals logged per connection, so that a
// client cannot fill the log by repeating a refused request.
const maxRefusalLogs = 20

// serveConn runs one connection from its first byte to its end.
func (s *Server) serveConn(ctx context.Context, id uint64, nc net.Conn) {
	start := time.Now()
	s.log.printf("#%d connect from %s", id, nc.RemoteAddr())
	sconn, chans, reqs, err := s.handshake(ctx, id, nc)
	if err != nil {
		s.log.printf("#%d closed before login after %v: %s", id, time.Since(start).Round(time.Millisecond), qerr(err))
		return
	}
	c := &conn{srv: s, id: id, sconn: sconn, sub: s.sub}
	method := sconn.Permissions.Extensions[extMethod]
	who := sconn.Permissions.Extensions[extIdentity]
	if method == "" || who == "" {
		// Cannot happen: every callback that lets a client in says who
		// it is. Refuse rather than serve an unknown identity.
		s.log.printf("#%d login without an identity: disconnecting", id)
		sconn.Close()
		return
	}
	_, c.noPTY = sconn.Permissions.Extensions[extNoPTY]
	if comment := sconn.Permissions.Extensions[extComment]; comment != "" {
		who += " " + q(comment)
	}
	s.log.printf("#%d login user=%s method=%s %s client=%s", id, q(sconn.User()), method, who, q(string(sconn.ClientVersion())))
	stopCert, err := c.applyCert()
	if err != nil {
		s.log.printf("#%d %s: disconnecting", id, qerr(err))
		sconn.Close()
		return
	}
	defer stopCert()

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go c.globalRequests(reqs)
	go c.keepalive(cctx)

	sessions := &gate{max: s.limits.MaxSessions}
	ended := make(chan struct{})
	go func() {
		// Shutdown: the sessions see ctx end, send their exit status
		// and close; the connection is cut once they have, or after the
		// grace period.
		select {
		case <-ended:
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(s.limits.ShutdownGrace)
		defer t.Stop()
		select {
		case <-sessions.done():
		case <-ended:
			return
		case <-t.C:
			s.log.printf("#%d sessions still open %v after shutdown: disconnecting", id, s.limits.ShutdownGrace)
		}
		sconn.Close()
	}()

	var wg sync.WaitGroup
	n := 0
	for nch := range chans {
		if nch.ChannelType() != "session" {
			c.refuseChannel(nch)
			continue
		}
		switch {
		case ctx.Err() != nil:
			nch.Reject(ssh.ResourceShortage, "server shutting down")
			continue
		case c.noMore.Load():
			c.refusef("session after no-more-sessions@openssh.com")
			nch.Reject(ssh.Prohibited, "no more sessions")
			continue
		case !sessions.enter():
			c.refusef("session: %d sessions already open", s.limits.MaxSessions)
			nch.Reject(ssh.ResourceShortage, "too many sessions")
			continue
		}
		n++
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			defer sessions.leave()
			c.serveSession(cctx, n, nch)
		}(n)
	}
	close(ended)
	cancel()
	wg.Wait()
	err = sconn.Wait()
	sconn.Close()
	reason := "closed by client"
	if ctx.Err() != nil {
		reason = "server shutting down"
	} else if err != nil && !errors.Is(err, io.EOF) {
		reason = qerr(err)
	}
	s.log.printf("#%d disconnect after %v: %s", id, time.Since(start).Round(time.Millisecond), reason)
}

// handshake runs the key exchange and authentication within the time
// limits; cancelling ctx aborts it.
func (s *Server) handshake(ctx context.Context, id uint64, nc net.Conn) (*ssh.ServerConn, <-chan ssh.NewChannel, <-chan *ssh.Request, error) {
	defer s.unauth.leave()
	nc.SetDeadline(time.Now().Add(s.limits.HandshakeTimeout))
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	cfg := s.configSSH
	cfg.PreAuthConnCallback = func(ssh.ServerPreAuthConn) {
		// The key exchange is done; allow time for a person to type.
		nc.SetDeadline(time.Now().Add(s.limits.LoginGraceTime))
	}
	cfg.AuthLogCallback = func(md ssh.ConnMetadata, method string, err error) {
		if err != nil && method != "none" {
			s.log.printf("#%d login attempt user=%s method=%s failed: %s", id, q(md.User()), q(method), qerr(err))
		}
	}
	sconn, chans, reqs, err := ssh.NewServerConn(nc, &cfg)
	if !stop() {
		if err == nil {
			sconn.Close()
		}
		return nil, nil, nil, errors.New("server shutting down")
	}
	if err != nil {
		nc.Close()
		return nil, nil, nil, err
	}
	// A client that logs in and leaves at once (ssh -O exit, a test) may
	// have closed the connection already: that is still a login, and the
	// channel loop ends on its own.
	if err := nc.SetDeadline(time.Time{}); err != nil && !errors.Is(err, net.ErrClosed) {
		sconn.Close()
		return nil, nil, nil, fmt.Errorf("clear deadline: %w", err)
	}
	return sconn, chans, reqs, nil
}

// refuseChannel rejects a channel other than a session: port forwarding
// (ssh -L, -D, -W and, from the server's side, -R), agent and X11
// forwarding, tun devices and anything unknown.
func (c *conn) refuseChannel(nch ssh.NewChannel) {
	t := nch.ChannelType()
	switch t {
	case "direct-tcpip", "direct-streamlocal@openssh.com", "forwarded-tcpip", "forwarded-streamlocal@openssh.com":
		c.refusef("channel %s: port forwarding is disabled", q(t))
		nch.Reject(ssh.Prohibited, "port forwarding is disabled")
	case "auth-agent@openssh.com", "x11", "tun@openssh.com":
		c.refusef("channel %s: disabled", q(t))
		nch.Reject(ssh.Prohibited, "disabled on this server")
	default:
		c.refusef("channel %s: unknown type", q(t))
		nch.Reject(ssh.UnknownChannelType, "unknown channel type")
	}
}

// globalRequests answers the connection's global requests until it ends:
// all are refused, remote port forwarding (ssh -R) included. A
// keepalive@openssh.com gets a failure reply, as from sshd, which tells
// the client that the server is alive.
func (c *conn) globalRequests(reqs <-chan *ssh.Request) {
	for r := range reqs {
		switch r.Type {
		case "keepalive@openssh.com":
		case "no-more-sessions@openssh.com":
			c.noMore.Store(true)
		case "tcpip-forward", "cancel-tcpip-forward", "streamlocal-forward@openssh.com", "cancel-streamlocal-forward@openssh.com":
			c.refusef("global request %s: port forwarding is disabled", q(r.Type))
		default:
			c.refusef("global request %s: unknown", q(r.Type))
		}
		if r.WantReply {
			r.Reply(false, nil)
		}
	}
}

// keepalive asks the client every KeepaliveInterval whether it is alive
// and cuts the connection after KeepaliveCountMax intervals without an
// answer, so that a vanished client does not hold a session (and a
// follow) forever.
func (c *conn) keepalive(ctx context.Context) {
	l := c.srv.limits
	t := time.NewTicker(l.KeepaliveInterval)
	defer t.Stop()
	replies := make(chan error, 1)
	waiting, missed := false, 0
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-replies:
			if err != nil {
				return
			}
			waiting, missed = false, 0
		case <-t.C:
			if !waiting {
				waiting = true
				go func() {
					_, _, err := c.sconn.SendRequest("keepalive@openssh.com", true, nil)
					replies <- err
				}()
				continue
			}
			if missed++; missed >= l.KeepaliveCountMax {
				c.srv.log.printf("#%d no answer to keepalives for %v: disconnecting", c.id, time.Duration(missed+1)*l.KeepaliveInterval)
				c.sconn.Close()
				return
			}
		}
	}
}

// refusef logs a refusal, up to maxRefusalLogs per connection.
func (c *conn) refusef(format string, args ...any) {
	switch n := c.refusals.Add(1); {
	case n <= maxRefusalLogs:
		c.srv.log.printf("#%d refused %s", c.id, fmt.Sprintf(format, args...))
	case n == maxRefusalLogs+1:
		c.srv.log.printf("#%d refused more: not logging further refusals on this connection", c.id)
	}
}
