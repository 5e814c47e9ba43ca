package fleet

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// testTable returns a table by path of groups (path, count, bytes,
// durations in ms), plus unparsed lines.
func testTable(t *testing.T, unparsed int64, groups ...any) *tally.Table {
	t.Helper()
	tb := tally.New([]tally.Key{tally.KeyPath}, 0)
	for i := 0; i < len(groups); i += 4 {
		g := &tally.Group{Values: []string{groups[i].(string)}, Count: int64(groups[i+1].(int)), Bytes: int64(groups[i+2].(int))}
		if ms, _ := groups[i+3].([]int); ms != nil {
			g.Durations = tally.NewSketch()
			for _, d := range ms {
				g.Durations.Add(time.Duration(d) * time.Millisecond)
			}
		}
		if err := tb.AddGroup(g); err != nil {
			t.Fatal(err)
		}
	}
	tb.Unparsed = unparsed
	return tb
}

func statsText(t *testing.T, blocks []statsBlock, opt StatsOptions, tty bool) string {
	t.Helper()
	if opt.Table.By == nil {
		opt.Table.By = []tally.Key{tally.KeyPath}
	}
	var b bytes.Buffer
	if err := writeStats(&b, blocks, opt, tty); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestStatsOrder: each sort's measure descending, then count descending,
// then the values ascending; --top cuts after sorting and keeps the
// unparsed row.
func TestStatsOrder(t *testing.T) {
	tb := testTable(t, 3,
		"/b", 5, 30, []int{100},
		"/a", 5, 10, []int{10},
		"/c", 7, 10, nil,
		"/d", 1, 1000, nil,
		"/e", 5, 10, nil)
	tests := []struct {
		sort string
		top  int
		want string
	}{
		{"", 0, "/c /a /b /e /d (unparsed)"},
		{SortCount, 2, "/c /a (unparsed)"},
		{SortBytes, 0, "/d /b /c /a /e (unparsed)"},
		{SortP99, 3, "/b /a /c (unparsed)"},
	}
	for _, tt := range tests {
		out := statsText(t, []statsBlock{{t: tb}}, StatsOptions{Sort: tt.sort, Top: tt.top}, false)
		var got []string
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:] {
			got = append(got, strings.Split(line, "\t")[0])
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("--sort %q --top %d: %s, want %s", tt.sort, tt.top, g, tt.want)
		}
	}
}

// TestStatsFormats: the exact output of each format, percentiles where
// known, the overflow and unparsed rows, a host column with PerHost.
func TestStatsFormats(t *testing.T) {
	tb := tally.New([]tally.Key{tally.KeyStatus, tally.KeyPath}, 2)
	for _, g := range []*tally.Group{
		{Values: []string{"404", "/a&b<c>"}, Count: 213, Bytes: 52188},
		{Values: []string{"-", "/x"}, Count: 2, Bytes: 0, Durations: tally.NewSketch()},
		{Values: []string{"200", "/y"}, Count: 1, Bytes: 5},
	} {
		if err := tb.AddGroup(g); err != nil {
			t.Fatal(err)
		}
	}
	sk := tb.Groups()[1].Durations // the group of "-"
	sk.Add(20 * time.Millisecond)
	// The sketch's value for 20 ms, 19.887, is within its 1% bound.
	if q := sk.Quantile(0.99); q < 20*(1-tally.RelativeAccuracy) || q > 20*(1+tally.RelativeAccuracy) {
		t.Fatalf("p99 of one 20 ms duration: %v ms", q)
	}
	tb.Unparsed = 4
	keys := []tally.Key{tally.KeyStatus, tally.KeyPath}
	blocks := []statsBlock{{host: "web1", t: tb}}
	opt := StatsOptions{Table: client.StatsOptions{By: keys}, PerHost: true}

	wantJSON := `{"host":"web1","status":404,"path":"/a&b<c>","count":213,"bytes":52188}
{"host":"web1","status":null,"path":"/x","count":2,"bytes":0,"p50_ms":19.887,"p90_ms":19.887,"p99_ms":19.887}
{"host":"web1","status":null,"path":null,"count":1,"bytes":5,"overflow":true}
{"host":"web1","status":null,"path":null,"count":4,"bytes":0,"unparsed":true}
`
	opt.Format = StatsJSON
	if got := statsText(t, blocks, opt, false); got != wantJSON {
		t.Errorf("json:\n%s\nwant\n%s", got, wantJSON)
	}
	wantCSV := "host,status,path,count,bytes,p50_ms,p90_ms,p99_ms\n" +
		"web1,404,/a&b<c>,213,52188,-,-,-\n" +
		"web1,-,/x,2,0,19.887,19.887,19.887\n" +
		"web1,(overflow),(overflow),1,5,-,-,-\n" +
		"web1,(unparsed),(unparsed),4,0,-,-,-\n"
	opt.Format = StatsCSV
	if got := statsText(t, blocks, opt, false); got != wantCSV {
		t.Errorf("csv:\n%s\nwant\n%s", got, wantCSV)
	}
	opt.Format = ""
	if got, want := statsText(t, blocks, opt, false), strings.ReplaceAll(wantCSV, ",", "\t"); got != want {
		t.Errorf("table, not a terminal:\n%s\nwant\n%s", got, want)
	}
	wantTTY := `host  status      path        count  bytes  p50_ms  p90_ms  p99_ms
web1  404         /a&b<c>     213    52188  -       -       -
web1  -           /x          2      0      19.887  19.887  19.887
web1  (overflow)  (overflow)  1      5      -       -       -
web1  (unparsed)  (unparsed)  4      0      -       -       -
`
	if got := statsText(t, blocks, opt, true); got != wantTTY {
		t.Errorf("table on a terminal:\n%s\nwant\n%s", got, wantTTY)
	}
}

// TestStatsCheck: every mistake in the options is found by Check.
func TestStatsCheck(t *testing.T) {
	by := client.StatsOptions{By: []tally.Key{tally.KeyStatus}}
	for _, o := range []StatsOptions{
		{},
		{Table: by, Sort: "p95"},
		{Table: by, Top: -1},
		{Table: by, Format: "xml"},
	} {
		if o.Check() == nil {
			t.Errorf("Check(%+v) = nil", o)
		}
	}
	if err := (StatsOptions{Table: by, Sort: SortP99, Top: 1, Format: StatsCSV}).Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

// FuzzStatsRow: whatever a host's values hold, each format keeps one row
// per line: JSON parses back to the value (invalid UTF-8 as U+FFFD),
// CSV to the exact value, and the table has its columns and no unsafe
// character.
func FuzzStatsRow(f *testing.F) {
	for _, s := range []string{"/", "a\tb", "x\ny", "\x1b[2J", "\xff\xfe", "\u202e", `"q",`} {
		f.Add(s, "web1")
	}
	f.Fuzz(func(t *testing.T, value, host string) {
		if len(value) > tally.MaxValue {
			return
		}
		tb := tally.New([]tally.Key{tally.KeyPath}, 0)
		if err := tb.AddGroup(&tally.Group{Values: []string{value}, Count: 1}); err != nil {
			t.Fatal(err)
		}
		blocks := []statsBlock{{host: host, t: tb}}
		opt := StatsOptions{Table: client.StatsOptions{By: []tally.Key{tally.KeyPath}}, PerHost: true}

		opt.Format = StatsJSON
		var row struct{ Host, Path string }
		if err := json.Unmarshal([]byte(statsText(t, blocks, opt, false)), &row); err != nil {
			t.Fatalf("json: %v", err)
		}
		if want := string([]rune(value)); row.Path != want { // each invalid byte: U+FFFD
			t.Errorf("json path %q, want %q", row.Path, want)
		}

		opt.Format = StatsCSV
		recs, err := csv.NewReader(strings.NewReader(statsText(t, blocks, opt, false))).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("csv: %v, %d records", err, len(recs))
		}
		// encoding/csv reads \r\n inside a quoted field as \n.
		if want := strings.ReplaceAll(value, "\r\n", "\n"); recs[1][1] != want || recs[1][0] != strings.ReplaceAll(host, "\r\n", "\n") {
			t.Errorf("csv row %q, want %q", recs[1], []string{host, value})
		}

		opt.Format = StatsTable
		for _, tty := range []bool{false, true} {
			out := statsText(t, blocks, opt, tty)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != 2 || (!tty && len(strings.Split(lines[1], "\t")) != 4) {
				t.Fatalf("table (tty %v): %q", tty, out)
			}
			if !utf8.ValidString(out) || slices.ContainsFunc([]rune(strings.ReplaceAll(strings.ReplaceAll(out, "\n", ""), "\t", "")), wire.Unsafe) {
				t.Errorf("table (tty %v) holds an unsafe character: %q", tty, out)
			}
		}
	})
}
