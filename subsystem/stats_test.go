package subsystem

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// statsOf runs a framed stats request and decodes its table.
func statsOf(t *testing.T, cfg *testServer, line string) *tally.Table {
	t.Helper()
	out, errOut, st := exec(t, cfg, line)
	if st != wire.StatusOK || errOut != "" {
		t.Fatalf("%s: status %v, stderr %q", line, st, errOut)
	}
	fr := wire.NewFrameReader(strings.NewReader(out))
	var d wire.TableDecoder
	var tb *tally.Table
	for {
		f, err := fr.Next()
		if err == io.EOF {
			t.Fatalf("%s: no Z frame", line)
		}
		if err != nil {
			t.Fatal(err)
		}
		switch f.Type {
		case wire.FrameAggregate:
			got, _, err := d.Add(f.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if got != nil {
				tb = got
			}
		case wire.FrameEnd:
			if tb == nil {
				t.Fatalf("%s: Z without a table", line)
			}
			return tb
		default:
			t.Fatalf("%s: unexpected frame %q", line, f.Type)
		}
	}
}

func counts(tb *tally.Table) map[string]int64 {
	m := map[string]int64{}
	for _, g := range tb.Groups() {
		m[strings.Join(g.Values, " ")] = g.Count
	}
	return m
}

// TestStats checks status counts against the generator's own, the
// unparsed count, a filter, and the raw answer for people.
func TestStats(t *testing.T) {
	content, _ := combinedLog(2000)
	content += "\ngarbage one\ngarbage two\n"
	cfg, _ := testConfig(t, content)
	want := map[string]int64{}
	for i := range 2000 {
		want[fmt.Sprint([]int{200, 404, 301, 500}[i%4])]++
	}
	tb := statsOf(t, cfg, "stats --framed --by=status access")
	if got := counts(tb); fmt.Sprint(got) != fmt.Sprint(want) || tb.Unparsed != 2 || tb.Truncated() {
		t.Fatalf("stats --by=status = %v, %d unparsed; want %v, 2", got, tb.Unparsed, want)
	}
	tb = statsOf(t, cfg, "stats --framed --by=status --status=4xx access")
	if got := counts(tb); len(got) != 1 || got["404"] != want["404"] || tb.Unparsed != 0 {
		t.Fatalf("stats --status=4xx = %v, %d unparsed", got, tb.Unparsed)
	}
	out, errOut, st := exec(t, cfg, "stats --by=class access")
	wantRaw := fmt.Sprintf("class\tcount\tbytes\tp50_ms\tp90_ms\tp99_ms\n2xx\t%d\t", want["200"])
	if st != wire.StatusOK || errOut != "" || !strings.HasPrefix(out, wantRaw) || !strings.HasSuffix(out, "(unparsed)\t2\t0\t-\t-\t-\n") {
		t.Fatalf("raw stats = %q, %q, %v", out, errOut, st)
	}
}

// TestStatsRedaction: with redact ip and query, no group key holds a full
// address or a query string.
func TestStatsRedaction(t *testing.T) {
	content, _ := combinedLog(500)
	cfg, _ := testConfig(t, content)
	cfg.Redact = []string{"ip", "query"}
	for _, g := range statsOf(t, cfg, "stats --framed --by=ip,url,referrer access").Groups() {
		ip, url := g.Values[0], g.Values[1]
		if !strings.HasSuffix(ip, ".0") || strings.Contains(url, "?") {
			t.Fatalf("redacted group holds %q %q", ip, url)
		}
	}
	// A filter cannot pick out a hidden address either.
	if tb := statsOf(t, cfg, "stats --framed --ip=10.0.0.7/32 access"); tb.Lines() != 0 {
		t.Fatalf("--ip found %d lines by a redacted address", tb.Lines())
	}
	cfg.Redact = nil
	if tb := statsOf(t, cfg, "stats --framed --ip=10.0.0.7/32 access"); tb.Lines() != 1 {
		t.Fatalf("unredacted --ip found %d lines, want 1", tb.Lines())
	}
}

// TestStatsPolicy: stats is a verb of the allowlist like the others.
func TestStatsPolicy(t *testing.T) {
	cfg, _ := testConfig(t, "x\n")
	cfg.Verbs = []string{"filter"}
	if _, _, st := exec(t, cfg, "stats access"); st != wire.StatusUnavailable {
		t.Fatalf("stats outside --verbs: %v", st)
	}
	cfg.Verbs = []string{"stats"}
	if _, _, st := exec(t, cfg, "stats access"); st != wire.StatusOK {
		t.Fatalf("stats inside --verbs: %v", st)
	}
	if _, _, st := exec(t, cfg, "stats gone"); st != wire.StatusUnavailable {
		t.Fatalf("stats of a missing log: %v", st)
	}
	cfg.MaxBytes = 10 // a table never arrives cut
	out, _, st := exec(t, cfg, "stats --framed --by=url access")
	if st != wire.StatusLimit || strings.Contains(out, "A") {
		t.Fatalf("stats over --max-bytes: %v, %q", st, out)
	}
}

// TestStatsCap: the answer says when the group cap was hit, and the
// overflow row holds the rest.
func TestStatsCap(t *testing.T) {
	content, _ := combinedLog(1000)
	cfg, _ := testConfig(t, content)
	tb := statsOf(t, cfg, "stats --framed --by=url --max-groups=5 access")
	var grouped int64
	for _, g := range tb.Groups() {
		grouped += g.Count
	}
	if !tb.Truncated() || tb.Len() != 5 || tb.Lines() != 1000 || tb.Overflow.Count == 0 || grouped+tb.Overflow.Count != 1000 {
		t.Fatalf("capped: %d groups of %d lines, truncated %v, overflow %d", tb.Len(), grouped, tb.Truncated(), tb.Overflow.Count)
	}
}

// TestStatsLongLine: a line longer than the read buffer counts once, as
// unparsed, and the lines around it still count.
func TestStatsLongLine(t *testing.T) {
	line := `10.0.0.1 - - [17/May/2015:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"` + "\n"
	content := line + strings.Repeat("x", 600<<10) + "\n" + line + strings.Repeat("y", 300<<10)
	cfg, _ := testConfig(t, content)
	tb := statsOf(t, cfg, "stats --framed access")
	if tb.Unparsed != 2 || tb.Lines() != 4 {
		t.Fatalf("%d unparsed of %d lines, want 2 of 4", tb.Unparsed, tb.Lines())
	}
}

// TestStatsEvery: a following stats sends the log, then what is appended,
// as interval tables that add up; the end of input ends it with Z.
func TestStatsEvery(t *testing.T) {
	line := func(status int) string {
		return fmt.Sprintf(`10.0.0.1 - - [17/May/2015:10:00:00 +0000] "GET / HTTP/1.1" %d 10 "-" "-"`+"\n", status)
	}
	cfg, path := testConfig(t, strings.Repeat(line(200), 300))
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	served := make(chan wire.Status, 1)
	go func() {
		served <- Serve(context.Background(), cfg, inR, outW, io.Discard)
		outW.Close()
	}()
	if _, err := io.WriteString(inW, "stats --framed --every=1s --by=status access\n"); err != nil {
		t.Fatal(err)
	}
	fr := wire.NewFrameReader(outR)
	var d wire.TableDecoder
	total := tally.New([]tally.Key{tally.KeyStatus}, 0)
	// next merges interval tables until the total has want[status] lines
	// of each status.
	next := func(want map[string]int64) {
		t.Helper()
		for fmt.Sprint(counts(total)) != fmt.Sprint(want) {
			f, err := fr.Next()
			if err != nil {
				t.Fatalf("after %v: %v", counts(total), err)
			}
			if f.Type != wire.FrameAggregate {
				t.Fatalf("frame %q", f.Type)
			}
			tb, w, err := d.Add(f.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if tb != nil {
				if !w.End.After(w.Start) {
					t.Fatalf("window %v", w)
				}
				if err := total.Merge(tb); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	next(map[string]int64{"200": 300})
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(line(500) + line(500) + line(200))
	f.Close()
	next(map[string]int64{"200": 301, "500": 2})
	inW.Close()
	for {
		f, err := fr.Next()
		if err != nil {
			t.Fatalf("no Z after the end of input: %v", err)
		}
		if f.Type == wire.FrameEnd {
			break
		}
	}
	if st := <-served; st != wire.StatusOK {
		t.Fatalf("Serve = %v", st)
	}
}
