package main

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// link describes an emulated network path. Each direction is shaped on
// its own: Rate bytes per second, then Delay before delivery. A link of
// 50 ms RTT and 100 Mbit/s is link{Delay: 25 * time.Millisecond, Rate:
// 100e6 / 8}.
type link struct {
	Delay time.Duration
	Rate  float64
}

// Sizes that bound what the proxy holds per direction: at most
// queueChunks chunks of at most chunkSize bytes wait in the delay line
// (8 MiB; a 100 Mbit/s × 25 ms path holds about 0.3 MiB), plus the
// socket buffers set to sockBuf. The token bucket's depth lets the
// shaper catch up after the scheduler wakes it late, which on a loaded
// machine takes milliseconds, without raising the average rate.
const (
	chunkSize   = 64 << 10
	queueChunks = 128
	sockBuf     = 256 << 10
	burst       = 256 << 10 // 20 ms at 100 Mbit/s
)

// proxy is a TCP forwarder on 127.0.0.1 that makes every connection
// through it behave as if it crossed link. Only the application sees the
// delay: both TCP legs are loopback, so TCP slow start and loss over a
// real long path are not emulated.
type proxy struct {
	ln     net.Listener
	target string
	link   link

	down atomic.Int64 // bytes forwarded from the target to clients

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// startProxy listens on a free loopback port and forwards each
// connection to target through l. Close stops it.
func startProxy(target string, l link) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{ln: ln, target: target, link: l, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's listening address.
func (p *proxy) Addr() *net.TCPAddr { return p.ln.Addr().(*net.TCPAddr) }

// Close stops accepting, cuts every connection and waits until all of
// the proxy's goroutines have returned.
func (p *proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.wg.Add(1)
		go p.serve(c.(*net.TCPConn))
	}
}

// track registers c so that Close can cut it; it reports false once the
// proxy is closing.
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
}

// serve forwards one client connection to the target, both directions.
func (p *proxy) serve(client *net.TCPConn) {
	defer p.wg.Done()
	defer client.Close()
	if !p.track(client) {
		return
	}
	defer p.untrack(client)
	c, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		return
	}
	server := c.(*net.TCPConn)
	defer server.Close()
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	for _, c := range []*net.TCPConn{client, server} {
		c.SetReadBuffer(sockBuf)
		c.SetWriteBuffer(sockBuf)
		c.SetNoDelay(true)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.link.forward(server, client, nil) }()
	go func() { defer wg.Done(); p.link.forward(client, server, &p.down) }()
	wg.Wait()
}

// chunk is data on its way through the delay line.
type chunk struct {
	data []byte
	due  time.Time
}

// Down is how many bytes the proxy has forwarded from its target to
// clients: what crossed the emulated link towards them.
func (p *proxy) Down() int64 { return p.down.Load() }

// forward copies src to dst through the link until src ends (then it
// half-closes dst) or either side fails (then it closes both), adding
// what it reads to count if that is not nil.
func (l link) forward(dst, src *net.TCPConn, count *atomic.Int64) {
	queue := make(chan chunk, queueChunks)
	done := make(chan struct{})
	go func() { // the delay line
		defer close(done)
		for c := range queue {
			time.Sleep(time.Until(c.due))
			if _, err := dst.Write(c.data); err != nil {
				src.Close()
				dst.Close()
				for range queue { // let the reader finish
				}
				return
			}
		}
		dst.CloseWrite()
	}()
	tb := newBucket(l.Rate, burst)
	for {
		buf := make([]byte, chunkSize)
		n, err := src.Read(buf)
		if n > 0 {
			if count != nil {
				count.Add(int64(n))
			}
			tb.take(n)                                       // the time the bytes take on the wire…
			queue <- chunk{buf[:n], time.Now().Add(l.Delay)} // …then the trip
		}
		if err != nil {
			break // EOF, or closed by the delay line or Close
		}
	}
	close(queue)
	<-done
}

// bucket is a token bucket: take blocks until n bytes may pass at rate
// bytes/s, allowing bursts of up to depth bytes. It may go into debt
// for a take larger than what it holds, then sleeps the debt off.
type bucket struct {
	rate, depth, tokens float64
	last                time.Time
}

func newBucket(rate float64, depth int) *bucket {
	return &bucket{rate: rate, depth: float64(depth), tokens: float64(depth), last: time.Now()}
}

func (b *bucket) take(n int) {
	if b.rate <= 0 {
		return
	}
	now := time.Now()
	b.tokens = min(b.depth, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens -= float64(n)
	if b.tokens < 0 {
		time.Sleep(time.Duration(-b.tokens / b.rate * float64(time.Second)))
	}
}
