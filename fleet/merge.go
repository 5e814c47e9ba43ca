package fleet

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
)

// DefaultMergeDelay is how long a live merge holds a line back, at most,
// waiting for earlier lines from other hosts (weblogctl --merge-delay).
const DefaultMergeDelay = 2 * time.Second

// DefaultHostBuffer is how many bytes of lines a Merger holds for one host
// before that host's Push waits.
const DefaultHostBuffer = 256 << 10

// lineOverhead is what one held line costs beyond its bytes, counted
// against HostBuffer so that many tiny lines are bounded too.
const lineOverhead = 64

// maxRound bounds the lines passed on per round, between which the Merger
// takes new lines in.
const maxRound = 256

// ErrStopped is returned by Push once the Merger's Run has returned.
var ErrStopped = errors.New("merge stopped")

// MergeOptions tune a Merger. The zero value is an exact merge of finite
// streams.
type MergeOptions struct {
	// Delay, when positive, makes the merge live (for follow): a host's
	// next line is passed on once it is the earliest waiting line and
	// every other running host has sent a line at least as late (so
	// nothing earlier can still come, as long as each host's log is in
	// time order), or once some line has waited Delay. Zero makes the
	// merge exact (for finite streams): the earliest line is passed on
	// only when every running host has a line waiting, so the output is
	// the k-way merge of the hosts' streams whatever their timing.
	Delay time.Duration
	// HostBuffer bounds the bytes held per host (plus 64 per line):
	// Push waits while its host holds more. 0 means DefaultHostBuffer.
	HostBuffer int
	// Timestamp returns a function that reads the time of a line; it is
	// called once per host, since each host's function may learn the
	// format of its log. nil means AccessLogTime.
	Timestamp func() func(line []byte) (time.Time, bool)
	// Flush, when not nil, is called after each round of lines passed
	// on, e.g. to flush buffered output.
	Flush func() error
}

// AccessLogTime returns a function that reads the request time of an
// access-log line in any format package accesslog detects; it reports
// false for a line without one.
func AccessLogTime() func(line []byte) (time.Time, bool) {
	p := accesslog.NewAutoParser(accesslog.Format{})
	var rec accesslog.Record
	return func(line []byte) (time.Time, bool) {
		if err := p.Parse(line, &rec); err != nil || rec.Time.IsZero() {
			return time.Time{}, false
		}
		return rec.Time, true
	}
}

// A Merger merges the line streams of several hosts into one, ordered by
// each line's time. Each host's lines keep their order (a host's stream is
// its log in file order); a line without a time takes the time of its
// host's previous line, so it stays right behind it, and sorts first
// when it has none. Lines with equal times come in host order.
//
// One goroutine per host calls Push with that host's lines and Close
// when its stream ends; Run passes the merged lines on. Memory is bounded
// per host (MergeOptions.HostBuffer): a host that is ahead waits in Push.
type Merger struct {
	opt  MergeOptions
	emit func(host int, line []byte) error

	mu      sync.Mutex
	hosts   []*mergeHost
	byKey   hostHeap // hosts holding lines, by their first line's key
	byAge   hostHeap // hosts holding lines, by their first line's arrival
	waiting int      // running hosts holding no line
	wake    chan struct{}
	done    chan struct{} // closed when Run returns
}

// mergeHost is one host's queue.
type mergeHost struct {
	q      []heldLine // q[head:] are held, oldest first
	head   int
	bytes  int
	last   int64 // the latest key received (this host's watermark)
	closed bool
	space  chan struct{} // signalled when bytes drop below the bound

	// Only the host's Push goroutine touches these.
	ts   func([]byte) (time.Time, bool)
	prev int64 // key of the previous line
}

// heldLine is a line waiting to be passed on.
type heldLine struct {
	line    []byte
	key     int64 // Unix nanoseconds; noTime when unknown
	arrival time.Time
}

// noTime is the key of a line with no time before it.
const noTime = math.MinInt64

// NewMerger returns a Merger for hosts streams, passing merged lines to
// emit from Run.
func NewMerger(hosts int, opt MergeOptions, emit func(host int, line []byte) error) *Merger {
	if opt.HostBuffer <= 0 {
		opt.HostBuffer = DefaultHostBuffer
	}
	if opt.Timestamp == nil {
		opt.Timestamp = AccessLogTime
	}
	m := &Merger{
		opt:     opt,
		emit:    emit,
		hosts:   make([]*mergeHost, hosts),
		waiting: hosts,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	for i := range m.hosts {
		m.hosts[i] = &mergeHost{last: noTime, prev: noTime, space: make(chan struct{}, 1), ts: opt.Timestamp()}
	}
	m.byKey = hostHeap{pos: make([]int, hosts), less: func(a, b int) bool {
		ka, kb := m.hosts[a].first().key, m.hosts[b].first().key
		return ka < kb || ka == kb && a < b
	}}
	m.byAge = hostHeap{pos: make([]int, hosts), less: func(a, b int) bool {
		ta, tb := m.hosts[a].first().arrival, m.hosts[b].first().arrival
		return ta.Before(tb) || ta.Equal(tb) && a < b
	}}
	return m
}

// Push adds lines (one or more, the last possibly without a newline) from
// host, copying them, and then waits while host holds more than the
// buffer allows. Push must not be called for one host from two goroutines
// at once, nor after Close(host). It returns ErrStopped once Run has
// returned, or ctx's error.
func (m *Merger) Push(ctx context.Context, host int, lines []byte) error {
	select {
	case <-m.done:
		return ErrStopped
	default:
	}
	if len(lines) == 0 {
		return nil
	}
	h := m.hosts[host]
	buf := bytes.Clone(lines)
	var held []heldLine
	for len(buf) > 0 {
		n := bytes.IndexByte(buf, '\n') + 1
		if n == 0 {
			n = len(buf)
		}
		line := buf[:n:n]
		buf = buf[n:]
		key := h.prev
		if t, ok := h.ts(line); ok {
			key = t.UnixNano()
		}
		h.prev = key
		held = append(held, heldLine{line: line, key: key})
	}
	m.mu.Lock()
	now := time.Now()
	wasEmpty := h.len() == 0
	for i := range held {
		held[i].arrival = now
		h.bytes += len(held[i].line) + lineOverhead
		h.last = max(h.last, held[i].key)
	}
	h.q = append(h.q, held...)
	if wasEmpty {
		heap.Push(&m.byKey, host)
		heap.Push(&m.byAge, host)
		m.waiting--
	}
	m.mu.Unlock()
	m.signal()
	for {
		m.mu.Lock()
		full := h.bytes > m.opt.HostBuffer
		m.mu.Unlock()
		if !full {
			return nil
		}
		select {
		case <-h.space:
		case <-m.done:
			return ErrStopped
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close says that host's stream has ended; its held lines are still
// passed on.
func (m *Merger) Close(host int) {
	m.mu.Lock()
	h := m.hosts[host]
	if !h.closed {
		h.closed = true
		if h.len() == 0 {
			m.waiting--
		}
	}
	m.mu.Unlock()
	m.signal()
}

// signal wakes Run.
func (m *Merger) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run passes merged lines to emit until every host is closed and every
// line passed on (then it returns nil), emit or Flush fails (it returns
// that error), or ctx ends (it returns ctx's error). Lines still held
// then are dropped. Push returns ErrStopped from then on.
func (m *Merger) Run(ctx context.Context) error {
	defer close(m.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var out []mergedLine
	for {
		var deadline time.Time
		var finished bool
		m.mu.Lock()
		out, deadline, finished = m.take(out[:0])
		m.mu.Unlock()
		for _, l := range out {
			if err := m.emit(l.host, l.line); err != nil {
				return err
			}
		}
		if len(out) > 0 && m.opt.Flush != nil {
			if err := m.opt.Flush(); err != nil {
				return err
			}
		}
		clear(out) // drop references to the lines
		if len(out) == maxRound {
			continue
		}
		if finished {
			return nil
		}
		var tc <-chan time.Time
		if !deadline.IsZero() {
			timer.Reset(time.Until(deadline))
			tc = timer.C
		}
		select {
		case <-m.wake:
		case <-tc:
		case <-ctx.Done():
			return ctx.Err()
		}
		timer.Stop()
	}
}

// mergedLine is a line on its way out.
type mergedLine struct {
	host int
	line []byte
}

// take removes the lines that may go now, up to maxRound, and returns
// them with the time when a held line falls due (zero: none), and whether
// the merge is finished. m.mu must be held.
func (m *Merger) take(out []mergedLine) ([]mergedLine, time.Time, bool) {
	now := time.Now()
	watermark := int64(math.MaxInt64) // the earliest time a running host may still send
	if m.opt.Delay > 0 && m.waiting > 0 {
		for _, h := range m.hosts {
			if !h.closed && h.len() == 0 {
				watermark = min(watermark, h.last)
			}
		}
	}
	for len(out) < maxRound && m.byKey.Len() > 0 {
		i := m.byKey.h[0]
		h := m.hosts[i]
		first := h.first()
		ok := m.waiting == 0
		if !ok && m.opt.Delay > 0 {
			oldest := m.hosts[m.byAge.h[0]].first()
			ok = first.key <= watermark || !now.Before(oldest.arrival.Add(m.opt.Delay))
		}
		if !ok {
			break
		}
		out = append(out, mergedLine{host: i, line: first.line})
		h.bytes -= len(first.line) + lineOverhead
		h.q[h.head] = heldLine{}
		h.head++
		if h.bytes <= m.opt.HostBuffer {
			select {
			case h.space <- struct{}{}:
			default:
			}
		}
		if h.len() == 0 {
			h.q, h.head = h.q[:0], 0
			heap.Remove(&m.byKey, m.byKey.pos[i])
			heap.Remove(&m.byAge, m.byAge.pos[i])
			if !h.closed {
				m.waiting++
				watermark = min(watermark, h.last)
			}
			continue
		}
		if h.head > 64 && h.head > len(h.q)/2 {
			n := copy(h.q, h.q[h.head:])
			clear(h.q[n:])
			h.q, h.head = h.q[:n], 0
		}
		heap.Fix(&m.byKey, m.byKey.pos[i])
		heap.Fix(&m.byAge, m.byAge.pos[i])
	}
	var deadline time.Time
	if m.opt.Delay > 0 && m.byAge.Len() > 0 {
		deadline = m.hosts[m.byAge.h[0]].first().arrival.Add(m.opt.Delay)
	}
	finished := m.byKey.Len() == 0 && m.waiting == 0
	return out, deadline, finished
}

func (h *mergeHost) len() int { return len(h.q) - h.head }

func (h *mergeHost) first() heldLine { return h.q[h.head] }

// hostHeap is a heap of host indices (container/heap) that knows where
// each host is.
type hostHeap struct {
	h    []int
	pos  []int // pos[host] is its index in h
	less func(a, b int) bool
}

func (hh *hostHeap) Len() int           { return len(hh.h) }
func (hh *hostHeap) Less(i, j int) bool { return hh.less(hh.h[i], hh.h[j]) }
func (hh *hostHeap) Swap(i, j int) {
	hh.h[i], hh.h[j] = hh.h[j], hh.h[i]
	hh.pos[hh.h[i]], hh.pos[hh.h[j]] = i, j
}
func (hh *hostHeap) Push(x any) {
	hh.pos[x.(int)] = len(hh.h)
	hh.h = append(hh.h, x.(int))
}
func (hh *hostHeap) Pop() any {
	x := hh.h[len(hh.h)-1]
	hh.h = hh.h[:len(hh.h)-1]
	return x
}
