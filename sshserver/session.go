package sshserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/wire"
)

// session is one session channel: at most one of shell, exec or
// subsystem, optionally after a pty-req.
type session struct {
	c   *conn
	tag string // "#CONN.SESSION", for the log
	ch  ssh.Channel
	pty bool
}

// serveSession answers the channel's requests until the client closes it
// or the connection ends, which also cancels a running request.
func (c *conn) serveSession(ctx context.Context, n int, nch ssh.NewChannel) {
	ch, reqs, err := nch.Accept()
	if err != nil {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &session{c: c, tag: fmt.Sprintf("#%d.%d", c.id, n), ch: ch}
	var done chan struct{} // closed when the started request is over
	for req := range reqs {
		ok := false
		switch req.Type {
		case "pty-req":
			switch {
			case done != nil:
				c.refusef("%s pty-req after the session started", s.tag)
			case c.noPTY:
				c.refusef("%s pty-req: the key is restricted (no-pty)", s.tag)
			case ssh.Unmarshal(req.Payload, &ptyRequest{}) != nil:
				c.refusef("%s pty-req: malformed", s.tag)
			default:
				s.pty, ok = true, true
			}
		case "window-change":
			ok = s.pty
		case "env", "keepalive@openssh.com":
			// Refused like sshd without AcceptEnv; not logged, since ssh
			// sends LANG and LC_* by default.
		case "shell", "exec", "subsystem":
			if done != nil {
				c.refusef("%s %s: the session already runs a request", s.tag, req.Type)
				break
			}
			kind, line, valid := s.parse(req)
			if !valid {
				break
			}
			if req.WantReply {
				req.Reply(true, nil)
			}
			done = make(chan struct{})
			go func() {
				defer close(done)
				s.run(ctx, kind, line)
			}()
			continue
		default:
			// auth-agent-req@openssh.com (ssh -A), x11-req (ssh -X),
			// signal, break and anything unknown.
			c.refusef("%s session request %s", s.tag, q(req.Type))
		}
		if req.WantReply {
			req.Reply(ok, nil)
		}
	}
	cancel()
	if done != nil {
		<-done
	}
	ch.Close()
}

// ptyRequest is the payload of a pty-req (RFC 4254 §6.2).
type ptyRequest struct {
	Term                      string
	Cols, Rows, Width, Height uint32
	Modes                     string
}

// parse checks a shell, exec or subsystem request and logs it. It returns
// the kind and, for exec, the request line.
func (s *session) parse(req *ssh.Request) (kind, line string, ok bool) {
	mode := ""
	if s.pty {
		mode = " (pty)"
	}
	switch req.Type {
	case "exec":
		var p struct{ Command string }
		if ssh.Unmarshal(req.Payload, &p) != nil {
			s.c.refusef("%s exec: malformed", s.tag)
			return "", "", false
		}
		s.c.srv.log.printf("%s exec%s %s", s.tag, mode, q(p.Command))
		return "exec", p.Command, true
	case "subsystem":
		var p struct{ Name string }
		if ssh.Unmarshal(req.Payload, &p) != nil {
			s.c.refusef("%s subsystem: malformed", s.tag)
			return "", "", false
		}
		if p.Name != wire.SubsystemName {
			s.c.refusef("%s subsystem %s: unknown", s.tag, q(p.Name))
			return "", "", false
		}
		s.c.srv.log.printf("%s subsystem %s", s.tag, q(p.Name))
		return "subsystem", "", true
	}
	s.c.srv.log.printf("%s shell%s", s.tag, mode)
	return "shell", "", true
}

// run serves the request, then sends its exit status and closes the
// channel. With a terminal, output is made fit for it (see ttyWriter) and
// q, Ctrl-C or Ctrl-D typed by the user ends the request.
func (s *session) run(ctx context.Context, kind, line string) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out, errOut io.Writer = s.ch, s.ch.Stderr()
	tty := s.pty && kind != "subsystem" // the subsystem speaks frames
	var ttyOut, ttyErr *ttyWriter
	if tty {
		ttyOut, ttyErr = newTTYWriter(out), newTTYWriter(errOut)
		out, errOut = ttyOut, ttyErr
		go watchKeys(s.ch, cancel)
	}
	sub, id := s.c.sub, s.c.identity()
	var status wire.Status
	switch kind {
	case "subsystem":
		status = sub.Serve(ctx, id, s.ch, out, errOut)
	case "exec":
		status = sub.Exec(ctx, id, line, out, errOut)
	default:
		status = s.shell(ctx, out, errOut, tty)
	}
	if tty {
		ttyOut.Flush()
		ttyErr.Flush()
	}
	s.c.srv.log.printf("%s exit %d after %v", s.tag, status, time.Since(start).Round(time.Millisecond))
	s.ch.CloseWrite()
	s.ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
	s.ch.Close()
}

// shell follows the policy's first log, like `follow -n 10 LOG`: what
// the seed's server did for any ssh client.
func (s *session) shell(ctx context.Context, out, errOut io.Writer, tty bool) wire.Status {
	sub := s.c.sub
	req := wire.Request{Verb: wire.VerbFollow, Log: sub.DefaultLog(), Lines: wire.DefaultLines, HasLines: true}
	if tty {
		fmt.Fprintf(errOut, "weblog-server: following %s; press q or Ctrl-C to stop\n", req.Log)
	}
	return sub.Exec(ctx, s.c.identity(), req.String(), out, errOut)
}

// watchKeys reads what the user types into the terminal and calls stop
// on q, Ctrl-C or Ctrl-D. In raw mode, ssh sends these keys as bytes
// rather than acting on them.
func watchKeys(r io.Reader, stop func()) {
	buf := make([]byte, 512)
	for {
		n, err := r.Read(buf)
		if bytes.ContainsAny(buf[:n], "qQ\x03\x04") {
			stop()
			return
		}
		if err != nil {
			return
		}
	}
}
