package wire

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/tally"
)

func TestParseStats(t *testing.T) {
	req, err := ParseRequest("stats --framed --by=status,path --max-groups=50 --status=4xx --since=2h access\n")
	if err != nil {
		t.Fatal(err)
	}
	want := Request{Verb: VerbStats, Log: "access", Framed: true, Stats: StatsOptions{By: "status,path", MaxGroups: 50},
		Filter: accesslog.FilterSpec{Status: "4xx", Since: "2h"}}
	if req != want {
		t.Fatalf("ParseRequest = %+v, want %+v", req, want)
	}
	if keys, err := req.Stats.Keys(); err != nil || tally.JoinKeys(keys) != "status,path" {
		t.Fatalf("Keys = %v, %v", keys, err)
	}
	for _, ok := range []string{"stats access", "stats --every=1s a", "stats --by ip/24 --rotated=2 a", "stats --by=minute a", "stats --framed --compress=zstd --every=1s a"} {
		if _, err := ParseRequest(ok); err != nil {
			t.Errorf("ParseRequest(%q): %v", ok, err)
		}
	}
	refused := map[string]Status{
		"stats":                          StatusUsage,
		"stats --by=nope a":              StatusUsage,
		"stats --by=status,status a":     StatusUsage,
		"stats --by= a":                  StatusUsage,
		"stats --by=status --by=path a":  StatusUsage,
		"stats --max-groups=0 a":         StatusUsage,
		"stats --max-groups=01 a":        StatusUsage,
		"stats --max-groups=999999999 a": StatusLimit,
		"stats --every=500ms a":          StatusUsage,
		"stats --every=60s a":            StatusUsage,
		"stats --every=1s --rotated=1 a": StatusUsage,
		"stats --follow a":               StatusUsage,
		"stats --compress=zstd a":        StatusUsage, // compression needs --framed
		"cat --by=status a":              StatusUsage,
		"stats a b":                      StatusUsage,
		"stats --bogus=1 a":              StatusUsage,
	}
	for line, st := range refused {
		req, err := ParseRequest(line)
		if StatusOf(err) != st || req != (Request{}) {
			t.Errorf("ParseRequest(%q) = %+v, %v; want status %v", line, req, err, st)
		}
	}
}

func FuzzParseStatsRequest(f *testing.F) {
	for _, s := range []string{"stats --by=status,path a", "stats --framed --every=1s --max-groups=10 --ua=curl a", "stats --by ip/24 a", "stats --by=status,,path a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		req, err := ParseRequest(line)
		if err != nil {
			if req != (Request{}) {
				t.Fatalf("error %v with non-zero request %+v", err, req)
			}
			return
		}
		if req.Verb != VerbStats && req.Stats != (StatsOptions{}) {
			t.Fatalf("stats options on %s: %+v", req.Verb, req.Stats)
		}
		if _, err := req.Stats.Keys(); err != nil {
			t.Fatalf("accepted --by=%q: %v", req.Stats.By, err)
		}
		again, err := ParseRequest(req.String())
		if err != nil || again != req {
			t.Fatalf("re-parse of %q gave %+v, %v, want %+v", req.String(), again, err, req)
		}
	})
}

// sampleTable aggregates n generated lines with durations, every 10th
// unparsed, by keys, capped at max.
func sampleTable(t testing.TB, n int, keys []tally.Key, max int) *tally.Table {
	f, err := accesslog.ParseFormat(`%h %l %u %t "%r" %>s %b %D`)
	if err != nil {
		t.Fatal(err)
	}
	p := accesslog.NewParser(f)
	tb := tally.New(keys, max)
	var rec accesslog.Record
	for i := range n {
		line := fmt.Sprintf("10.0.%d.%d - - [03/Dec/2026:14:%02d:00 +0000] \"GET /p/%d?x=%d HTTP/1.1\" %d %d %d\n",
			i%7, i%200, i%60, i%5000, i%3, 200+i%5*100, i*13%9000, i*7919%3000000)
		if i%10 == 9 {
			line = "junk\n"
		}
		if err := p.Parse([]byte(line), &rec); err != nil {
			tb.AddUnparsed()
			continue
		}
		tb.Add(&rec)
	}
	return tb
}

func decodeAll(t testing.TB, payloads [][]byte) (*tally.Table, Window) {
	t.Helper()
	var d TableDecoder
	for i, p := range payloads {
		tb, w, err := d.Add(p)
		if err != nil {
			t.Fatalf("payload %d: %v", i, err)
		}
		if tb != nil {
			if i != len(payloads)-1 {
				t.Fatalf("table complete after %d of %d payloads", i+1, len(payloads))
			}
			return tb, w
		}
	}
	t.Fatal("no complete table")
	return nil, Window{}
}

func TestTableRoundTrip(t *testing.T) {
	w := Window{Start: time.UnixMilli(1764770000000).UTC(), End: time.UnixMilli(1764770001000).UTC()}
	for _, tt := range []struct {
		n    int
		keys []tally.Key
		max  int
	}{
		{0, nil, 0},
		{1000, nil, 0},
		{20000, []tally.Key{tally.KeyStatus, tally.KeyURL}, 0}, // several groups frames
		{5000, []tally.Key{tally.KeyPath}, 100},                // truncated
	} {
		tb := sampleTable(t, tt.n, tt.keys, tt.max)
		enc := EncodeTable(tb, w)
		for _, p := range enc {
			if len(p) > MaxFrame {
				t.Fatalf("payload of %d bytes", len(p))
			}
		}
		got, gw := decodeAll(t, enc)
		if gw != w || got.Len() != tb.Len() || got.Unparsed != tb.Unparsed || got.Truncated() != tb.Truncated() || got.Lines() != tb.Lines() {
			t.Fatalf("n=%d: decoded %d groups, %d unparsed, window %v; want %d, %d, %v", tt.n, got.Len(), got.Unparsed, gw, tb.Len(), tb.Unparsed, w)
		}
		again := EncodeTable(got, gw)
		if len(again) != len(enc) {
			t.Fatalf("re-encoded into %d frames, want %d", len(again), len(enc))
		}
		for i := range enc {
			if !bytes.Equal(enc[i], again[i]) {
				t.Fatalf("n=%d: frame %d differs after a round trip", tt.n, i)
			}
		}
		if tt.n == 20000 && len(enc) < 3 {
			t.Fatalf("%d frames for %d groups: expected a split", len(enc), tb.Len())
		}
	}
}

func TestTableDecoderRefuses(t *testing.T) {
	enc := EncodeTable(sampleTable(t, 100, []tally.Key{tally.KeyStatus}, 0), Window{})
	bad := [][][]byte{
		{enc[1]},                           // groups without a head
		{enc[0], enc[0]},                   // head inside a table
		{append([]byte{2}, enc[0][1:]...)}, // unknown version
		{{AggregateVersion, 'X'}},          // unknown part
		{append(bytes.Clone(enc[0]), 0)},   // trailing bytes
		{enc[0], enc[1][:len(enc[1])-1]},   // truncated
		{enc[0][:len(enc[0])-1]},           // truncated head
	}
	for i, ps := range bad {
		var d TableDecoder
		var err error
		for _, p := range ps {
			if _, _, err = d.Add(p); err != nil {
				break
			}
		}
		if err == nil {
			t.Errorf("case %d: accepted", i)
		}
	}
}

// FuzzDecodeTable: no panic; what decodes re-encodes to frames that
// decode to the same table (decode(encode(x)) == x).
func FuzzDecodeTable(f *testing.F) {
	enc := EncodeTable(sampleTable(f, 40, []tally.Key{tally.KeyStatus, tally.KeyMinute}, 0), Window{})
	f.Add(enc[0], enc[1])
	enc = EncodeTable(sampleTable(f, 50, nil, 0), Window{})
	f.Add(enc[0], []byte{})
	f.Fuzz(func(t *testing.T, head, groups []byte) {
		var d TableDecoder
		tb, w, err := d.Add(head)
		if err != nil {
			return
		}
		if tb == nil {
			if tb, w, err = d.Add(groups); err != nil || tb == nil {
				return
			}
		}
		first := EncodeTable(tb, w)
		tb2, w2 := decodeAll(t, first)
		second := EncodeTable(tb2, w2)
		if len(first) != len(second) {
			t.Fatalf("%d frames, then %d", len(first), len(second))
		}
		for i := range first {
			if !bytes.Equal(first[i], second[i]) {
				t.Fatalf("frame %d differs after a round trip", i)
			}
		}
	})
}
