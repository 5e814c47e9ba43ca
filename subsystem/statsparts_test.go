package subsystem

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// TestLineStarts: parts start at line starts, in order, and a line is
// never cut, whatever the length of the lines around a nominal start.
func TestLineStarts(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for round := range 300 {
		var b bytes.Buffer
		for range r.IntN(40) {
			b.WriteString(strings.Repeat("x", r.IntN([]int{3, 200, 70000}[round%3])))
			b.WriteByte('\n')
		}
		if r.IntN(2) == 0 {
			b.WriteString("no newline at the end")
		}
		data := b.Bytes()
		n := 1 + r.IntN(6)
		starts, err := lineStarts(bytes.NewReader(data), int64(len(data)), n)
		if err != nil {
			t.Fatal(err)
		}
		if starts[0] != 0 || starts[len(starts)-1] != int64(len(data)) || len(starts) > n+1 {
			t.Fatalf("%d bytes in %d parts: starts %v", len(data), n, starts)
		}
		for i, s := range starts[1 : len(starts)-1] {
			if s <= starts[i] || data[s-1] != '\n' {
				t.Fatalf("%d bytes in %d parts: start %d of %v is not after a newline or not after the one before", len(data), n, s, starts)
			}
		}
		// Each part starts at the first line start from its nominal
		// start on (and after the part before): none is longer than it
		// must be.
		for i := 1; i < len(starts)-1; i++ {
			nominal := int64(len(data)) * int64(i) / int64(n)
			for l := max(nominal, starts[i-1]+1); l < starts[i]; l++ {
				if data[l-1] == '\n' {
					t.Fatalf("start %d of %v: a line starts at %d, nearer its nominal start %d", i, starts, l, nominal)
				}
			}
		}
	}
}

// TestStatsParts: the table counted in parts in parallel is the table of
// one pass, on a log with garbage lines, invalid UTF-8, a line longer
// than the read buffer on a part boundary and no final newline; when a
// part fills its share of the group cap, stats counts again in one pass
// and the answer is still one pass's.
func TestStatsParts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer func(b int64) { partBytes = b }(partBytes)

	content, _ := combinedLog(40000)
	lines := strings.SplitAfter(content+"\n", "\n")
	lines = lines[:len(lines)-1]
	// In no order of their values, so that a join that does not keep
	// the file's order gives other groups when the cap is hit.
	r := rand.New(rand.NewPCG(7, 7))
	r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	lines[len(lines)-1] = strings.TrimSuffix(lines[len(lines)-1], "\n") // no final newline
	// A line over the 256 KiB read buffer across the middle of the log,
	// and garbage.
	mid := len(lines) / 2
	lines = slices.Insert(lines, mid, strings.Repeat("overlong ", 40000)+"\n", "garbage\n")
	content = strings.Join(lines, "")
	cfg, path := testConfig(t, content)
	ss := &session{Server: cfg.server()}

	countIn := func(ctx context.Context, line string, parts bool) (*tally.Table, error) {
		t.Helper()
		req, err := wire.ParseRequest(line)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := req.Stats.Keys()
		if err != nil {
			t.Fatal(err)
		}
		c, err := openContent(ss, req)
		if err != nil {
			t.Fatal(err)
		}
		defer c.close()
		a, err := newAggregator(ss, req, keys, c)
		if err != nil {
			t.Fatal(err)
		}
		if !parts {
			return countAll(ctx, a, c)
		}
		return countParts(ctx, a, c)
	}
	count := func(line string, parts bool) (*tally.Table, error) {
		t.Helper()
		return countIn(context.Background(), line, parts)
	}

	partBytes = int64(len(content)) / 5
	c, err := openContent(ss, wire.Request{Log: "access"})
	if err != nil {
		t.Fatal(err)
	}
	starts, err := lineStarts(c.f, c.size, 4)
	c.close()
	if err != nil || len(starts) != 5 {
		t.Fatalf("%s: starts %v, %v; want 4 parts", path, starts, err)
	}

	if tb, _ := count("stats --by=status access", false); tb.Unparsed < 2 {
		t.Fatalf("one pass: %d unparsed lines, want the overlong and the garbage line at least", tb.Unparsed)
	}
	for _, tt := range []struct {
		line      string
		truncated bool // the whole fills its table
		refused   bool // a part fills its own table
	}{
		{"stats --by=status access", false, false},
		{"stats --by=path access", false, false},
		{"stats --by=status,referrer-host --status=5xx access", false, false},
		{"stats --by=ip/24,minute access", false, false},
		// About 34,000 distinct URLs, 8,600 a part: the later parts
		// have room for a quarter of the cap each, 10,000.
		{"stats --by=url --max-groups=40000 access", false, false},
		// Then the whole fills up; a part's quarter always fills
		// first, and the log is counted again in one pass.
		{"stats --by=url --max-groups=25000 access", true, true},
		{"stats --by=url --max-groups=5000 access", true, true},
	} {
		want, err := count(tt.line, false)
		if err != nil || want.Truncated() != tt.truncated {
			t.Fatalf("%s: one pass: truncated %v, %v", tt.line, want.Truncated(), err)
		}
		got, err := count(tt.line, true)
		if tt.refused {
			if err != tally.ErrOrder {
				t.Fatalf("%s: in parts: %v, want tally.ErrOrder", tt.line, err)
			}
			// What the client sees is the one pass's table all the same.
			out, _, st := exec(t, cfg, tt.line)
			if st != wire.StatusOK || out != tableText(want) {
				t.Fatalf("%s: status %v, answer differs from one pass", tt.line, st)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.line, err)
		}
		if g, w := tableText(got), tableText(want); g != w {
			t.Fatalf("%s: in parts:\n%.600s\none pass:\n%.600s", tt.line, g, w)
		}
		if got.Unparsed != want.Unparsed || got.Truncated() != want.Truncated() || got.Lines() != want.Lines() {
			t.Fatalf("%s: unparsed %d/%d, truncated %v/%v, lines %d/%d", tt.line, got.Unparsed, want.Unparsed, got.Truncated(), want.Truncated(), got.Lines(), want.Lines())
		}
	}
	// A request that ends (the client went away) ends every part, with
	// the request's error, as one pass does.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := countIn(ctx, "stats --by=status access", true); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request in parts: %v, want context.Canceled", err)
	}
}
