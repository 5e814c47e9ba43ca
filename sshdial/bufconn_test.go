package sshdial

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// TestBufferedConnDeadlines checks that the buffer under the SSH
// transport keeps the connection's read deadlines: an expired deadline
// fails a waiting read, and once it is cleared the next read gets the
// bytes sent since, in order.
func TestBufferedConnDeadlines(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	defer peer.Close()
	c := newBufferedConn(raw)
	defer c.Close()

	if err := c.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want %v", err, os.ErrDeadlineExceeded)
	}
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := peer.Write([]byte("abcdefgh")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 8)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "abcdefgh" {
		t.Fatalf("read after clearing the deadline: %q, %v", got, err)
	}
	// Writes go to the connection itself.
	if _, err := c.Write([]byte("xy")); err != nil {
		t.Fatal(err)
	}
	back := make([]byte, 2)
	if _, err := io.ReadFull(peer, back); err != nil || string(back) != "xy" {
		t.Fatalf("peer read %q, %v", back, err)
	}
	// Close closes the connection: the peer sees the end.
	c.Close()
	if n, err := peer.Read(back); err != io.EOF {
		t.Fatalf("peer read after Close: %d, %v, want EOF", n, err)
	}
}
