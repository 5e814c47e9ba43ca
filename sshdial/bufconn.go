package sshdial

import (
	"bufio"
	"net"
)

// readBufferSize is the read buffer under each SSH transport: about what
// OpenSSH's ssh takes per read(2) on a fast link.
const readBufferSize = 256 << 10

// bufferedConn is a net.Conn whose reads go through a large buffer.
// x/crypto's SSH transport reads its connection through a 4 KiB
// bufio.Reader, which a packet's payload (up to 32 KiB) bypasses: every
// packet costs at least two read(2) calls, more when the socket holds
// only part of it. Under it, one read(2) takes whatever the socket holds,
// up to the buffer's size (a 200 MB fetch on loopback: 14,500–16,600
// reads before, 3,000–5,800 after). Writes, Close and deadlines are the
// connection's own: a read deadline still interrupts a read that waits
// (bufio hands the error on once and reads again on the next call), and
// only bytes already received are served from the buffer. It wraps jump
// host channels (not sockets) the same way.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func newBufferedConn(c net.Conn) *bufferedConn {
	return &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, readBufferSize)}
}

// Read reads from the buffer, filling it from the connection when empty.
func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
