package main

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer echoes every connection until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestProxyRTT checks that a small round trip takes at least the RTT
// (upper bounds are loose: CI machines are shared).
func TestProxyRTT(t *testing.T) {
	p, err := startProxy(echoServer(t), link{Delay: 25 * time.Millisecond, Rate: 100e6 / 8})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 4)
	for range 3 {
		start := time.Now()
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
		if rtt := time.Since(start); rtt < 50*time.Millisecond || rtt > 5*time.Second {
			t.Errorf("round trip took %v, want about 50ms", rtt)
		}
	}
}

// TestProxyRate checks that bulk data flows at about the link's rate,
// arrives intact, and that a half-close passes through.
func TestProxyRate(t *testing.T) {
	const rate, size = 20e6, 4 << 20 // 4 MiB at 20 MB/s: 210 ms
	p, err := startProxy(echoServer(t), link{Delay: 5 * time.Millisecond, Rate: rate})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	start := time.Now()
	go func() {
		c.Write(data)
		c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c) // ends when the echo's half-close comes back
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes back, want the %d sent", len(got), len(data))
	}
	want := time.Duration(float64(size-burst) / rate * float64(time.Second))
	if elapsed < want || elapsed > 20*want {
		t.Errorf("%d bytes took %v through a %.0f B/s link, want about %v", size, elapsed, rate, want)
	}
	t.Logf("%d bytes in %v: %.1f MB/s", size, elapsed, size/elapsed.Seconds()/1e6)
}

// TestProxyClose checks that Close cuts open connections and returns.
func TestProxyClose(t *testing.T) {
	p, err := startProxy(echoServer(t), link{Delay: time.Millisecond, Rate: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("x"))
	io.ReadFull(c, make([]byte, 1))
	done := make(chan struct{})
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after Close")
	}
}
