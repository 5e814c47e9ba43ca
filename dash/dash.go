package dash

import (
	"sync"
	"time"

	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/tally"
)

// Slot is the granularity of the rolling windows: tables arriving in the
// same Slot are merged into one.
const Slot = 5 * time.Second

// Keep is how long a host's slots are kept: the longest window.
const Keep = time.Hour

// rateSpan is how far back the per-second rate series go.
const rateSpan = 5 * time.Minute

// State is a host's connection state.
type State string

// The states of a host.
const (
	StateConnecting State = "connecting" // no table yet
	StateUp         State = "up"         // tables arrive
	StateStale      State = "stale"      // the connection failed; reconnecting
	StateFailed     State = "failed"     // failed for good
)

// Dash is a dashboard's state, fed by Apply and read by Snapshot. It is
// safe for concurrent use.
type Dash struct {
	mu      sync.Mutex
	hosts   []*host
	changed chan struct{} // closed and replaced by every change
}

type host struct {
	name  string
	state State
	err   string
	last  time.Time // when the last table arrived
	feeds [numFeeds]feed
	rate  []sample // FeedStatus's live intervals, oldest first
}

// feed is what one host sent of one feed since its connection started.
type feed struct {
	total *tally.Table // every table, the first (the log as it was) included
	slots []slot       // the live tables (not the first), by arrival, oldest first
}

type slot struct {
	start time.Time
	t     *tally.Table
}

// sample is one live interval of a host's status feed.
type sample struct {
	at           time.Time
	count, bytes int64
	c4xx, c5xx   int64
}

// New returns an empty dashboard of hosts.
func New(hosts []string) *Dash {
	d := &Dash{changed: make(chan struct{})}
	for _, h := range hosts {
		d.hosts = append(d.hosts, &host{name: h, state: StateConnecting})
	}
	return d
}

// Changed returns a channel that is closed at the next change: a view
// waits on it to redraw as soon as a table arrives.
func (d *Dash) Changed() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.changed
}

// notify wakes the views; d.mu is held.
func (d *Dash) notify() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// Reset forgets every table (e.g. when the feeds restart with another
// filter); hosts go back to connecting.
func (d *Dash) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	defer d.notify()
	for i, h := range d.hosts {
		d.hosts[i] = &host{name: h.name, state: StateConnecting}
	}
}

// Apply records one event of fleet.Runner.Live.
func (d *Dash) Apply(e fleet.LiveEvent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	defer d.notify()
	if e.Host < 0 || e.Host >= len(d.hosts) {
		return
	}
	h := d.hosts[e.Host]
	switch e.Kind {
	case fleet.LiveStale:
		h.state, h.err = StateStale, errText(e.Err)
		return
	case fleet.LiveFailed:
		h.state, h.err = StateFailed, errText(e.Err)
		return
	}
	if e.Feed < 0 || e.Feed >= numFeeds || e.Table == nil {
		return
	}
	h.state, h.err, h.last = StateUp, "", e.At
	f := &h.feeds[e.Feed]
	if e.First {
		// A new connection starts over with the log as it is: it
		// replaces what the host sent before.
		f.total, f.slots = e.Table, nil
		if e.Feed == FeedStatus {
			h.rate = nil
		}
		return
	}
	if f.total == nil {
		f.total = tally.New(e.Table.Keys(), 0)
	}
	f.total.Merge(e.Table) // same keys: the feed's; a full table counts the rest as overflow
	start := e.At.Truncate(Slot)
	if n := len(f.slots); n > 0 && f.slots[n-1].start.Equal(start) {
		f.slots[n-1].t.Merge(e.Table)
	} else {
		t := tally.New(e.Table.Keys(), 0)
		t.Merge(e.Table)
		f.slots = append(f.slots, slot{start: start, t: t})
	}
	for len(f.slots) > 0 && e.At.Sub(f.slots[0].start) > Keep+Slot {
		f.slots = f.slots[1:]
	}
	if e.Feed == FeedStatus {
		s := sample{at: e.At}
		for _, g := range e.Table.Groups() {
			s.count += g.Count
			s.bytes += g.Bytes
			switch class(g.Values[0]) {
			case "4xx":
				s.c4xx += g.Count
			case "5xx":
				s.c5xx += g.Count
			}
		}
		s.count += e.Table.Overflow.Count + e.Table.Unparsed
		s.bytes += e.Table.Overflow.Bytes
		h.rate = append(h.rate, s)
		for len(h.rate) > 0 && e.At.Sub(h.rate[0].at) > Keep {
			h.rate = h.rate[1:]
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// class is the class of a status value: "4xx", or "-" when it is not a
// status.
func class(status string) string {
	if len(status) != 3 || status[0] < '1' || status[0] > '5' {
		return "-"
	}
	return status[:1] + "xx"
}
