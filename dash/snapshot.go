package dash

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// Snapshot is what a dashboard shows at one moment, for one window. Its
// text (keys, host names, errors) is sanitized: control characters are
// replaced, so a view may print it as it is.
type Snapshot struct {
	At        time.Time `json:"at"`
	Window    string    `json:"window"`   // "all", "1m", "5m", "1h"
	Requests  int64     `json:"requests"` // lines counted, unparsed ones included
	Bytes     int64     `json:"bytes"`
	Unparsed  int64     `json:"unparsed"`
	Truncated bool      `json:"truncated"` // a group cap was hit: some lines are in no row
	// RPS and BPS are the requests and bytes per second of the last
	// RateSpan.
	RPS float64 `json:"rps"`
	BPS float64 `json:"bps"`
	// Rate and ByteRate are requests and bytes per second, one value a
	// second, the last RateSeconds, oldest first.
	Rate      []int64  `json:"rate"`
	ByteRate  []int64  `json:"byte_rate"`
	Classes   []Item   `json:"classes"`  // 1xx … 5xx, then "-" for lines without a status
	Statuses  []Item   `json:"statuses"` // most lines first
	Latency   *Latency `json:"latency,omitempty"`
	Paths     []Item   `json:"paths"`
	Referrers []Item   `json:"referrers"` // "REFERRER --> PATH" of 200 hits with a referrer
	IPs       []Item   `json:"ips"`
	UAs       []Item   `json:"uas"`
	Hosts     []Host   `json:"hosts"`
}

// Item is one row of a panel.
type Item struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
	Bytes int64  `json:"bytes"`
}

// Latency holds percentiles of the durations, in milliseconds, of the
// lines whose format logs one.
type Latency struct {
	N   uint64  `json:"n"`
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
}

// Host is one host's row.
type Host struct {
	Name     string    `json:"name"`
	State    State     `json:"state"`
	Err      string    `json:"error,omitempty"`
	Requests int64     `json:"requests"`
	C4xx     int64     `json:"4xx"`
	C5xx     int64     `json:"5xx"`
	RPS      float64   `json:"rps"`
	Last     time.Time `json:"last"` // when its last table arrived; zero: none yet
}

// RateSeconds is the length of Snapshot.Rate.
const RateSeconds = int(rateSpan / time.Second)

// RateSpan is the span of Snapshot.RPS and BPS.
const RateSpan = 10 * time.Second

// Windows returns the windows a dashboard offers, "all" (0) first.
func Windows() []time.Duration { return []time.Duration{0, time.Minute, 5 * time.Minute, time.Hour} }

// WindowName names a window: "all" for 0, else "1m", "5m", "1h".
func WindowName(w time.Duration) string {
	switch {
	case w <= 0:
		return "all"
	case w%time.Hour == 0:
		return strconv.Itoa(int(w/time.Hour)) + "h"
	case w%time.Minute == 0:
		return strconv.Itoa(int(w/time.Minute)) + "m"
	}
	return w.String()
}

// ParseWindow is WindowName's inverse for the Windows.
func ParseWindow(s string) (time.Duration, bool) {
	for _, w := range Windows() {
		if WindowName(w) == s {
			return w, true
		}
	}
	return 0, false
}

// Snapshot returns what the dashboard shows at now for window (0: all
// since the start), at most top rows per panel.
func (d *Dash) Snapshot(window time.Duration, top int, now time.Time) Snapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := Snapshot{At: now, Window: WindowName(window), Rate: make([]int64, RateSeconds), ByteRate: make([]int64, RateSeconds)}
	var merged [numFeeds]*tally.Table
	for _, h := range d.hosts {
		row := Host{Name: wire.Sanitize(h.name), State: h.state, Err: wire.Sanitize(h.err), Last: h.last}
		for fi := range h.feeds {
			t := h.feeds[fi].window(window, now)
			if t == nil {
				continue
			}
			if fi == FeedStatus {
				row.Requests = t.Lines()
				for _, g := range t.Groups() {
					switch class(g.Values[0]) {
					case "4xx":
						row.C4xx += g.Count
					case "5xx":
						row.C5xx += g.Count
					}
				}
			}
			if merged[fi] == nil {
				merged[fi] = tally.New(t.Keys(), tally.MaxGroups)
			}
			merged[fi].Merge(t)
		}
		var recent int64
		for _, r := range h.rate {
			age := now.Sub(r.at)
			if age < RateSpan {
				recent += r.count
				s.BPS += float64(r.bytes)
			}
			if i := int(age / time.Second); i >= 0 && i < RateSeconds {
				s.Rate[RateSeconds-1-i] += r.count
				s.ByteRate[RateSeconds-1-i] += r.bytes
			}
		}
		row.RPS = float64(recent) / RateSpan.Seconds()
		s.RPS += row.RPS
		s.Hosts = append(s.Hosts, row)
	}
	s.BPS /= RateSpan.Seconds()
	if t := merged[FeedStatus]; t != nil {
		s.Requests, s.Unparsed, s.Truncated = t.Lines(), t.Unparsed, t.Truncated()
		classes := map[string]int64{}
		lat := tally.NewSketch()
		for _, g := range t.Groups() {
			s.Bytes += g.Bytes
			classes[class(g.Values[0])] += g.Count
			s.Statuses = append(s.Statuses, Item{Key: wire.Sanitize(g.Values[0]), Count: g.Count, Bytes: g.Bytes})
			if g.Durations != nil {
				lat.Merge(g.Durations)
			}
		}
		s.Bytes += t.Overflow.Bytes
		for _, c := range []string{"1xx", "2xx", "3xx", "4xx", "5xx", "-"} {
			if n := classes[c]; n > 0 || c != "-" {
				s.Classes = append(s.Classes, Item{Key: c, Count: n})
			}
		}
		if lat.Count() > 0 {
			s.Latency = &Latency{N: lat.Count(), P50: lat.Quantile(0.5), P90: lat.Quantile(0.9), P99: lat.Quantile(0.99)}
		}
	}
	s.Paths = items(merged[FeedPath], top, nil)
	s.IPs = items(merged[FeedIP], top, nil)
	s.UAs = items(merged[FeedUA], top, nil)
	s.Referrers = items(merged[FeedReferrer], top, func(v []string) (string, bool) {
		if len(v) == 3 { // status, referrer, path
			return v[1] + " --> " + v[2], v[0] == "200"
		}
		return v[0] + " --> " + v[1], true
	})
	for _, t := range merged {
		if t != nil && t.Truncated() {
			s.Truncated = true
		}
	}
	return s
}

// window returns the feed's table for window (0: all), or nil when it
// has none.
func (f *feed) window(window time.Duration, now time.Time) *tally.Table {
	if window <= 0 || f.total == nil {
		return f.total
	}
	t := tally.New(f.total.Keys(), tally.MaxGroups)
	from := now.Add(-window)
	for _, s := range f.slots {
		if !s.start.Before(from.Truncate(Slot)) {
			t.Merge(s.t)
		}
	}
	return t
}

// items returns the top rows of t, its groups projected by key (nil: the
// one value) and kept when key says so.
func items(t *tally.Table, top int, key func(values []string) (string, bool)) []Item {
	if t == nil {
		return nil
	}
	var out []Item
	if key == nil {
		for _, g := range t.Groups() {
			if len(out) == top {
				break
			}
			out = append(out, Item{Key: wire.Sanitize(g.Values[0]), Count: g.Count, Bytes: g.Bytes})
		}
		return out
	}
	byKey := map[string]*Item{}
	for _, g := range t.Groups() {
		k, ok := key(g.Values)
		if !ok {
			continue
		}
		it := byKey[k]
		if it == nil {
			it = &Item{Key: wire.Sanitize(k)}
			byKey[k] = it
		}
		it.Count += g.Count
		it.Bytes += g.Bytes
	}
	for _, it := range byKey {
		out = append(out, *it)
	}
	slices.SortFunc(out, func(a, b Item) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	if len(out) > top {
		out = out[:top]
	}
	return out
}
