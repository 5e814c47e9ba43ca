package dash

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/tally"
)

// table returns a table of keys with one group per row: values, then
// the count (bytes are 10 a line).
func table(t *testing.T, keys []tally.Key, rows map[string]int64) *tally.Table {
	t.Helper()
	tb := tally.New(keys, 0)
	for v, n := range rows {
		if err := tb.AddGroup(&tally.Group{Values: strings.Split(v, "|"), Count: n, Bytes: 10 * n}); err != nil {
			t.Fatal(err)
		}
	}
	return tb
}

func statusTable(t *testing.T, rows map[string]int64) *tally.Table {
	return table(t, []tally.Key{tally.KeyStatus}, rows)
}

func ev(host, feed int, tb *tally.Table, first bool, at time.Time) fleet.LiveEvent {
	return fleet.LiveEvent{Host: host, Kind: fleet.LiveTable, Feed: feed, Table: tb, First: first, At: at}
}

func item(items []Item, key string) int64 {
	for _, it := range items {
		if it.Key == key {
			return it.Count
		}
	}
	return -1
}

// TestWindows: "all" holds the first table and every later one; a window
// holds only the live tables that arrived in it; hosts merge exactly.
func TestWindows(t *testing.T) {
	d := New([]string{"a", "b"})
	t0 := time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	d.Apply(ev(0, FeedStatus, statusTable(t, map[string]int64{"200": 100, "404": 5}), true, t0))
	d.Apply(ev(1, FeedStatus, statusTable(t, map[string]int64{"200": 50, "503": 7}), true, t0))
	d.Apply(ev(0, FeedStatus, statusTable(t, map[string]int64{"200": 3}), false, t0.Add(10*time.Second)))
	d.Apply(ev(1, FeedStatus, statusTable(t, map[string]int64{"500": 2}), false, t0.Add(2*time.Minute)))
	d.Apply(ev(0, FeedPath, table(t, []tally.Key{tally.KeyPath}, map[string]int64{"/x": 9, "/y": 4}), true, t0))
	d.Apply(ev(0, FeedReferrer, table(t, []tally.Key{tally.KeyReferrer, tally.KeyPath}, map[string]int64{"r|/x": 3}), true, t0))

	now := t0.Add(2*time.Minute + 5*time.Second)
	all := d.Snapshot(0, 10, now)
	if all.Requests != 167 || all.Bytes != 1670 {
		t.Errorf("all: requests %d bytes %d, want 167 1670", all.Requests, all.Bytes)
	}
	for c, want := range map[string]int64{"2xx": 153, "4xx": 5, "5xx": 9, "1xx": 0} {
		if got := item(all.Classes, c); got != want {
			t.Errorf("all: class %s = %d, want %d", c, got, want)
		}
	}
	if got := item(all.Paths, "/x"); got != 9 {
		t.Errorf("all: /x = %d, want 9", got)
	}
	if got := item(all.Referrers, "r --> /x"); got != 3 {
		t.Errorf("all: referrer row = %d (%v), want 3", got, all.Referrers)
	}
	if h := all.Hosts[1]; h.Requests != 59 || h.C5xx != 9 || h.State != StateUp {
		t.Errorf("all: host b = %+v", h)
	}
	m := d.Snapshot(time.Minute, 10, now)
	if m.Requests != 2 || item(m.Classes, "5xx") != 2 {
		t.Errorf("1m: requests %d, 5xx %d; want 2 and 2 (only b's last table)", m.Requests, item(m.Classes, "5xx"))
	}
	if h := d.Snapshot(time.Hour, 10, now); h.Requests != 5 {
		t.Errorf("1h: requests %d, want 5 (the live tables)", h.Requests)
	}
	if got := d.Snapshot(0, 1, now).Paths; len(got) != 1 || got[0].Key != "/x" {
		t.Errorf("top 1 paths = %v", got)
	}
	if r := d.Snapshot(0, 10, now); r.Rate[RateSeconds-1-5] != 2 {
		t.Errorf("rate 5 s ago = %d, want 2", r.Rate[RateSeconds-1-5])
	}
}

// TestReconnectReplaces: a host's first table on a new connection
// replaces what it sent before (the log as it is now), and a stale host
// keeps its counts, marked.
func TestReconnectReplaces(t *testing.T) {
	d := New([]string{"a"})
	t0 := time.Now()
	d.Apply(ev(0, FeedStatus, statusTable(t, map[string]int64{"200": 10}), true, t0))
	d.Apply(ev(0, FeedStatus, statusTable(t, map[string]int64{"200": 5}), false, t0.Add(time.Second)))
	d.Apply(fleet.LiveEvent{Host: 0, Kind: fleet.LiveStale, Err: errors.New("connection \x1b[31mlost")})
	s := d.Snapshot(0, 10, t0.Add(2*time.Second))
	if h := s.Hosts[0]; h.State != StateStale || h.Requests != 15 || strings.ContainsRune(h.Err, 0x1b) {
		t.Errorf("stale host = %+v, want stale with 15 requests, its error sanitized", h)
	}
	d.Apply(ev(0, FeedStatus, statusTable(t, map[string]int64{"200": 16}), true, t0.Add(3*time.Second)))
	if h := d.Snapshot(0, 10, t0.Add(4*time.Second)).Hosts[0]; h.State != StateUp || h.Requests != 16 {
		t.Errorf("reconnected host = %+v, want up with 16 requests", h)
	}
	d.Apply(fleet.LiveEvent{Host: 0, Kind: fleet.LiveFailed, Err: errors.New("denied")})
	if h := d.Snapshot(0, 10, t0).Hosts[0]; h.State != StateFailed || h.Err != "denied" {
		t.Errorf("failed host = %+v", h)
	}
	d.Reset()
	if h := d.Snapshot(0, 10, t0).Hosts[0]; h.State != StateConnecting || h.Requests != 0 {
		t.Errorf("after Reset = %+v", h)
	}
}

// TestChanged: Apply wakes a waiting view.
func TestChanged(t *testing.T) {
	d := New([]string{"a"})
	ch := d.Changed()
	select {
	case <-ch:
		t.Fatal("changed before any event")
	default:
	}
	d.Apply(ev(0, FeedStatus, statusTable(t, map[string]int64{"200": 1}), true, time.Now()))
	<-ch
}

// TestFeedsReferrer: without a status filter the server picks the 200
// hits; with one, the status is a key (the status lists would OR).
func TestFeedsReferrer(t *testing.T) {
	f := Feeds(accesslog.FilterSpec{})[FeedReferrer]
	if tally.JoinKeys(f.By) != "referrer,path" || f.Filter.Status != "200" || !f.Filter.HasReferrer {
		t.Errorf("referrer feed = %+v", f)
	}
	f = Feeds(accesslog.FilterSpec{Status: "5xx"})[FeedReferrer]
	if tally.JoinKeys(f.By) != "status,referrer,path" || f.Filter.Status != "5xx" {
		t.Errorf("referrer feed with --status 5xx = %+v", f)
	}
}

func TestParseFilter(t *testing.T) {
	base := accesslog.FilterSpec{Method: "GET"}
	for in, want := range map[string]accesslog.FilterSpec{
		"":                               base,
		"status:5xx":                     {Method: "GET", Status: "5xx"},
		"status=4xx path:^/api":          {Method: "GET", Status: "4xx", Path: "^/api"},
		"has-referrer not-ip:10.0.0.0/8": {Method: "GET", HasReferrer: true, NotIP: "10.0.0.0/8"},
		"method:POST":                    {Method: "GET,POST"},
	} {
		got, err := ParseFilter(base, in)
		if err != nil || got != want {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"status", "nope:1", "status:abc", "path:(", "since:yesterday", "status:5xx status:"} {
		if got, err := ParseFilter(base, bad); err == nil || got != (accesslog.FilterSpec{}) {
			t.Errorf("ParseFilter(%q) = %+v, %v; want an error and the zero spec", bad, got, err)
		}
	}
}

// FuzzParseFilter: no panic; an error gives the zero spec; an accepted
// filter compiles and survives its wire form.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"status:5xx", "path:^/a ua:bot", "has-referrer", "ip=10.0.0.0/8", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseFilter(accesslog.FilterSpec{}, s)
		if err != nil {
			if spec != (accesslog.FilterSpec{}) {
				t.Fatalf("error %v with a spec %+v", err, spec)
			}
			return
		}
		back, err := accesslog.ParseFilterArgs(spec.Args())
		if err != nil || back != spec {
			t.Fatalf("ParseFilterArgs(Args(%+v)) = %+v, %v", spec, back, err)
		}
	})
}
