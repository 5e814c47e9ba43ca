package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener counts the bytes its connections send: what the
// server puts on the wire, SSH framing and encryption included.
type countingListener struct {
	net.Listener
	sent *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.sent}, nil
}

type countingConn struct {
	net.Conn
	sent *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.sent.Add(int64(n))
	return n, err
}

// busyLog makes lines of a busy site: Zipf-distributed paths (10,000),
// clients (50,000), user agents (500) and referrers (1,000, on 40% of
// the lines), mostly 200s.
type busyLog struct {
	r                 *rand.Rand
	path, ip, ua, ref *rand.Zipf
	statuses          []int
	now               string
	nowAt             time.Time
}

func newBusyLog() *busyLog {
	r := rand.New(rand.NewPCG(1, 2))
	return &busyLog{
		r: r, path: rand.NewZipf(r, 1.1, 4, 9_999), ip: rand.NewZipf(r, 1.05, 8, 49_999),
		ua: rand.NewZipf(r, 1.3, 2, 499), ref: rand.NewZipf(r, 1.2, 4, 999),
		statuses: []int{200, 200, 200, 200, 200, 200, 200, 304, 301, 404, 200, 200, 500, 200, 302},
	}
}

func (b *busyLog) lines(buf *bytes.Buffer, n int) {
	if t := time.Now(); t.Sub(b.nowAt) >= time.Second {
		b.now, b.nowAt = t.UTC().Format("02/Jan/2006:15:04:05 -0700"), t
	}
	for range n {
		ip := b.ip.Uint64()
		ref := "-"
		if b.r.IntN(10) < 4 {
			ref = fmt.Sprintf("https://site%d.example/article/%d", b.ref.Uint64()%97, b.ref.Uint64())
		}
		fmt.Fprintf(buf, "10.%d.%d.%d - - [%s] \"GET /catalog/item/%d?ref=%d HTTP/1.1\" %d %d \"%s\" \"Mozilla/5.0 (X11; Linux x86_64) Agent/%d.0 Safari/537.36\"\n",
			ip>>16&255, ip>>8&255, ip&255, b.now, b.path.Uint64(), b.r.IntN(100), b.statuses[b.r.IntN(len(b.statuses))], 200+b.r.IntN(20000), ref, b.ua.Uint64())
	}
}

// TestTopWireBytes measures what top costs on the wire: a host logging
// ≥ 5,000 lines/s for 10 s must send at most 5% of its log's growth
// (PROTOCOL.md §2.2.2 tables, over SSH, counted on the TCP connection).
func TestTopWireBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 15 s")
	}
	var sent atomic.Int64
	f := startFleet(t, []string{"web1"}, fleetOptions{
		logs:   func(string) []byte { return nil },
		listen: func(l net.Listener) net.Listener { return countingListener{l, &sent} },
	})
	url := startTopWeb(t, f, "web1")
	waitUp := func() {
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get(url + "snapshot")
			if err == nil {
				var s struct{ Hosts []struct{ State string } }
				err = json.NewDecoder(resp.Body).Decode(&s)
				resp.Body.Close()
				if err == nil && len(s.Hosts) == 1 && s.Hosts[0].State == "up" {
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("web1 is not up after 20s: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitUp()
	fh, err := os.OpenFile(f.logs["web1"], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	gen := newBusyLog()
	const rate, dur = 6000, 10 * time.Second
	start, before := time.Now(), sent.Load()
	var grown, lines int64
	var buf bytes.Buffer
	for tick := time.NewTicker(10 * time.Millisecond); time.Since(start) < dur; <-tick.C {
		want := int64(time.Since(start).Seconds() * rate)
		buf.Reset()
		gen.lines(&buf, int(want-lines))
		lines = want
		n, err := fh.Write(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		grown += int64(n)
	}
	elapsed := time.Since(start)
	time.Sleep(2 * time.Second) // the last interval's tables
	wire := sent.Load() - before
	ratio := float64(wire) / float64(grown)
	t.Logf("log grew %d lines (%.0f lines/s), %d bytes; top received %d bytes on the wire: %.2f%% of the growth",
		lines, float64(lines)/elapsed.Seconds(), grown, wire, 100*ratio)
	if float64(lines)/elapsed.Seconds() < 5000 {
		t.Errorf("wrote %.0f lines/s, want at least 5000", float64(lines)/elapsed.Seconds())
	}
	if ratio > 0.05 {
		t.Errorf("top received %.2f%% of the log's growth on the wire, want at most 5%%", 100*ratio)
	}
}
