package tally

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
)

// TestValues checks the keys whose values the awk test cannot reach:
// times in other offsets, bracketed and mapped addresses, vhosts.
func TestValues(t *testing.T) {
	vf := accesslog.VHostCombined()
	tests := []struct {
		line string
		f    accesslog.Format
		key  Key
		want string
	}{
		{`1.2.3.4 - - [04/Dec/2026:01:30:59 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`, accesslog.Combined(), KeyMinute, "2026-12-03T23:30Z"},
		{`1.2.3.4 - - [04/Dec/2026:01:30:59 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`, accesslog.Combined(), KeyHour, "2026-12-03T23:00Z"},
		{`1.2.3.4 - - [04/Dec/2026:01:30:59 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`, accesslog.Combined(), KeyDay, "2026-12-03"},
		{`::ffff:1.2.3.4 - - [04/Dec/2026:01:30:59 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`, accesslog.Combined(), KeyIP, "1.2.3.4"},
		{`2001:0db8:0001:0002::7 - - [04/Dec/2026:01:30:59 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`, accesslog.Combined(), KeyIP, "2001:db8:1:2::7"},
		{`2001:0db8:0001:0002::7 - - [04/Dec/2026:01:30:59 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`, accesslog.Combined(), KeyIPNet, "2001:db8:1::/48"},
		{`host.example - - [04/Dec/2026:01:30:59 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`, accesslog.Combined(), KeyIPNet, "host.example"},
		{`www.example.com:443 [2001:db8::1]:5555 - - [04/Dec/2026:01:30:59 +0200] "GET /a?b HTTP/1.1" 200 1 "-" "-"`, vf, KeyVHost, "www.example.com"},
		{`www.example.com:443 [2001:db8::1]:5555 - - [04/Dec/2026:01:30:59 +0200] "GET /a?b HTTP/1.1" 200 1 "-" "-"`, vf, KeyIP, "2001:db8::1"},
		{`1.2.3.4 - - [04/Dec/2026:01:30:59 +0200] "\x16\x03\x01" 400 1 "-" "-"`, accesslog.Combined(), KeyPath, "-"},
		{`1.2.3.4 - - [04/Dec/2026:01:30:59 +0200] "\x16\x03\x01" 400 1 "-" "-"`, accesslog.Combined(), KeyClass, "4xx"},
		{`1.2.3.4 - - [04/Dec/2026:01:30:59 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`, accesslog.Combined(), KeyVHost, "-"},
	}
	for _, tt := range tests {
		var rec accesslog.Record
		if err := accesslog.NewParser(tt.f).Parse([]byte(tt.line), &rec); err != nil {
			t.Fatalf("parse %q: %v", tt.line, err)
		}
		if got := string(appendValue(nil, tt.key, &rec)); got != tt.want {
			t.Errorf("%s of %q = %q, want %q", tt.key, tt.line, got, tt.want)
		}
	}
}

func TestParseKeys(t *testing.T) {
	for _, bad := range []string{"nope", "status,status", "status,", ",", "Status", "status,path,url,ip,ua,vhost,day,hour,minute"} {
		if k, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) = %v, want an error", bad, k)
		}
	}
	k, err := ParseKeys("ip/24,referrer-host")
	if err != nil || !slices.Equal(k, []Key{KeyIPNet, KeyReferrerHost}) || JoinKeys(k) != "ip/24,referrer-host" {
		t.Fatalf("ParseKeys = %v, %v", k, err)
	}
}

// durFormat is combined plus %D.
func durFormat(t testing.TB) accesslog.Format {
	f, err := accesslog.ParseFormat(`%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" %D`)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestQuantiles checks the sketch against exact quantiles of the same
// durations: within the documented relative error.
func TestQuantiles(t *testing.T) {
	log := genLog(20000, 3, true)
	tb := tableOf(t, log, []Key{KeyStatus}, 0, durFormat(t))
	exact := map[string][]float64{}
	p := accesslog.NewParser(durFormat(t))
	var rec accesslog.Record
	for _, line := range strings.SplitAfter(log, "\n") {
		if p.Parse([]byte(line), &rec) == nil {
			k := string(appendValue(nil, KeyStatus, &rec))
			exact[k] = append(exact[k], float64(rec.Duration)/float64(time.Millisecond))
		}
	}
	for _, g := range tb.Groups() {
		ds := exact[g.Values[0]]
		slices.Sort(ds)
		if g.Durations == nil || g.Durations.Count() != uint64(len(ds)) {
			t.Fatalf("status %s: sketch of %v durations, want %d", g.Values[0], g.Durations, len(ds))
		}
		for _, q := range []float64{0.5, 0.9, 0.99} {
			want := ds[int(q*float64(len(ds)-1))]
			got := g.Durations.Quantile(q)
			if want == 0 && got == 0 {
				continue
			}
			if math.Abs(got-want) > RelativeAccuracy*want {
				t.Errorf("status %s p%v = %.3f ms, exact %.3f ms: beyond %v relative error", g.Values[0], q*100, got, want, RelativeAccuracy)
			}
		}
	}
	// Without a duration in the format, there is no sketch.
	for _, g := range tableOf(t, genLog(100, 3, false), nil, 0, accesslog.Combined()).Groups() {
		if g.Durations != nil {
			t.Fatalf("a sketch without durations: %+v", g)
		}
	}
}

// equalTables compares two tables group by group, sketches included.
func equalTables(t *testing.T, a, b *Table) {
	t.Helper()
	ga, gb := a.Groups(), b.Groups()
	if len(ga) != len(gb) || a.Unparsed != b.Unparsed || a.Truncated() != b.Truncated() {
		t.Fatalf("tables differ: %d/%d groups, %d/%d unparsed, truncated %v/%v", len(ga), len(gb), a.Unparsed, b.Unparsed, a.Truncated(), b.Truncated())
	}
	for i := range ga {
		x, y := ga[i], gb[i]
		if !slices.Equal(x.Values, y.Values) || x.Count != y.Count || x.Bytes != y.Bytes || !x.Durations.Equal(y.Durations) {
			t.Fatalf("group %d differs: %+v vs %+v", i, x, y)
		}
	}
	if a.Overflow.Count != b.Overflow.Count || a.Overflow.Bytes != b.Overflow.Bytes || !a.Overflow.Durations.Equal(b.Overflow.Durations) {
		t.Fatalf("overflow differs: %+v vs %+v", a.Overflow, b.Overflow)
	}
}

// TestMerge: three logs' tables merged equal the table of the three
// concatenated, sketches bin for bin (so their quantiles too).
func TestMerge(t *testing.T) {
	f := durFormat(t)
	keys := []Key{KeyStatus, KeyPath}
	logs := []string{genLog(5000, 1, true), genLog(7000, 2, true), genLog(3000, 3, true)}
	merged := New(keys, 0)
	for _, l := range logs {
		if err := merged.Merge(tableOf(t, l, keys, 0, f)); err != nil {
			t.Fatal(err)
		}
	}
	whole := tableOf(t, strings.Join(logs, ""), keys, 0, f)
	equalTables(t, merged, whole)
	if merged.Lines() != 15000 {
		t.Fatalf("Lines = %d, want 15000", merged.Lines())
	}
	if err := merged.Merge(New([]Key{KeyPath}, 0)); err == nil {
		t.Fatal("merged tables of different keys")
	}
}

// TestCap: a full table says so, and what it could not group is in
// Overflow, so that nothing is lost.
func TestCap(t *testing.T) {
	log := genLog(5000, 9, true)
	full := tableOf(t, log, []Key{KeyURL}, 0, durFormat(t))
	if full.Truncated() || full.Len() < 20 {
		t.Fatalf("uncapped: %d groups, truncated %v", full.Len(), full.Truncated())
	}
	capped := tableOf(t, log, []Key{KeyURL}, 10, durFormat(t))
	if !capped.Truncated() || capped.Len() != 10 {
		t.Fatalf("capped at 10: %d groups, truncated %v", capped.Len(), capped.Truncated())
	}
	if capped.Lines() != full.Lines() || capped.Overflow.Count == 0 {
		t.Fatalf("capped counts %d lines (overflow %d), uncapped %d", capped.Lines(), capped.Overflow.Count, full.Lines())
	}
	var bytesFull, bytesCapped int64
	for _, g := range full.Groups() {
		bytesFull += g.Bytes
	}
	for _, g := range capped.Groups() {
		bytesCapped += g.Bytes
	}
	if bytesCapped+capped.Overflow.Bytes != bytesFull {
		t.Fatalf("bytes: %d + overflow %d, want %d", bytesCapped, capped.Overflow.Bytes, bytesFull)
	}
	// A value over MaxValue goes to Overflow too.
	long := `1.2.3.4 - - [04/Dec/2026:01:30:59 +0200] "GET /` + strings.Repeat("a", MaxValue) + ` HTTP/1.1" 200 1 "-" "-"` + "\n"
	tb := tableOf(t, long, []Key{KeyPath}, 0, accesslog.Combined())
	if tb.Len() != 0 || tb.Overflow.Count != 1 || !tb.Truncated() {
		t.Fatalf("overlong value: %d groups, overflow %d", tb.Len(), tb.Overflow.Count)
	}
}

// TestUnparsed: garbage lines are counted, not grouped.
func TestUnparsed(t *testing.T) {
	tb := tableOf(t, genLog(1000, 4, false), []Key{KeyStatus}, 0, accesslog.Combined())
	if tb.Unparsed != 20 || tb.Lines() != 1000 {
		t.Fatalf("unparsed %d of %d lines, want 20 of 1000", tb.Unparsed, tb.Lines())
	}
}

// TestContinue: a log cut into parts at line boundaries, each part counted
// in its own table and the tables joined in order, gives the table of the
// whole log counted in one go: caps, overflow, unparsed lines and sketches
// included. When a later part's own cap was hit, Continue refuses.
func TestContinue(t *testing.T) {
	f := durFormat(t)
	lines := strings.SplitAfter(genLog(6000, 11, true), "\n")
	for _, keys := range [][]Key{{KeyStatus}, {KeyURL}, {KeyStatus, KeyPath}, {KeyIP, KeyMinute}} {
		whole := tableOf(t, strings.Join(lines, ""), keys, 0, f)
		// Caps: none, below the groups of the whole, and so small that
		// later parts overflow on their own.
		for _, max := range []int{0, whole.Len() / 2, whole.Len() - 1, 3} {
			if max < 0 {
				continue
			}
			want := tableOf(t, strings.Join(lines, ""), keys, max, f)
			for _, cuts := range [][]int{{3000}, {1, 2000, 4000}, {1500, 1501, 5999}} {
				got := New(keys, max)
				from, refused := 0, false
				for _, cut := range append(cuts, len(lines)) {
					part := tableOf(t, strings.Join(lines[from:cut], ""), keys, max, f)
					from = cut
					if err := got.Continue(part); err != nil {
						if !errors.Is(err, ErrOrder) || !part.Truncated() {
							t.Fatalf("%v max %d cuts %v: Continue: %v", keys, max, cuts, err)
						}
						refused = true
						break
					}
				}
				if refused {
					continue
				}
				equalTables(t, got, want)
			}
		}
	}
	if err := New([]Key{KeyStatus}, 0).Continue(New([]Key{KeyPath}, 0)); err == nil {
		t.Fatal("continued a table by status with one by path")
	}
}

// TestNewPart: a part has one n-th of a table's room, and when it fills
// up, Continue refuses it.
func TestNewPart(t *testing.T) {
	log := genLog(4000, 12, false)
	keys := []Key{KeyURL}
	whole := tableOf(t, log, keys, 0, accesslog.Combined())
	p := NewPart(keys, whole.Len(), 4)
	if p.MaxGroups() != max(whole.Len()/4, 1) {
		t.Fatalf("a quarter of %d groups: cap %d", whole.Len(), p.MaxGroups())
	}
	if p.maxBytes != MaxKeyBytes/4 {
		t.Fatalf("a quarter of the key bytes: %d", p.maxBytes)
	}
	var rec accesslog.Record
	parser := accesslog.NewParser(accesslog.Combined())
	for _, line := range strings.SplitAfter(log, "\n") {
		if parser.Parse([]byte(line), &rec) == nil {
			p.Add(&rec)
		}
	}
	if p.Len() != p.MaxGroups() || !p.Truncated() {
		t.Fatalf("part of %d groups, truncated %v; want full at %d", p.Len(), p.Truncated(), p.MaxGroups())
	}
	if err := New(keys, 0).Continue(p); !errors.Is(err, ErrOrder) {
		t.Fatalf("Continue of a full part: %v, want ErrOrder", err)
	}
}
