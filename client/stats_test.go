package client_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// statsLog returns n combined lines with a %D-free format, statuses and
// paths cycling, and the expected count per status,path.
func statsLog(n, offset int) (string, map[string]int64) {
	var b strings.Builder
	want := map[string]int64{}
	for i := offset; i < offset+n; i++ {
		status, path := []int{200, 404, 500}[i%3], fmt.Sprintf("/p/%d", i%7)
		fmt.Fprintf(&b, "10.1.%d.%d - - [03/Dec/2026:14:%02d:00 +0000] \"GET %s?i=%d HTTP/1.1\" %d %d \"-\" \"ua\"\n", i%4, i%100, i%60, path, i, status, i)
		want[fmt.Sprintf("%d %s", status, path)]++
	}
	return b.String(), want
}

func TestPipeStats(t *testing.T) {
	ctx := context.Background()
	var all strings.Builder
	total := map[string]int64{}
	merged := tally.New([]tally.Key{tally.KeyStatus, tally.KeyPath}, 0)
	// Three hosts: their merged tables equal the table of the three logs
	// concatenated, and each equals the generator's count.
	for h := range 3 {
		log, want := statsLog(1000+h*500, h*10000)
		all.WriteString(log)
		for k, v := range want {
			total[k] += v
		}
		c, _ := pipeClient(t, log)
		tb, err := c.Stats(ctx, "access", accesslog.FilterSpec{}, client.StatsOptions{By: []tally.Key{tally.KeyStatus, tally.KeyPath}})
		if err != nil {
			t.Fatal(err)
		}
		if got := groupCounts(tb); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("host %d: %v, want %v", h, got, want)
		}
		if err := merged.Merge(tb); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := pipeClient(t, all.String())
	whole, err := c.Stats(ctx, "access", accesslog.FilterSpec{}, client.StatsOptions{By: []tally.Key{tally.KeyStatus, tally.KeyPath}})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := groupCounts(merged), groupCounts(whole); fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) != fmt.Sprint(total) {
		t.Fatalf("merged %v\nwhole %v\nwant %v", a, b, total)
	}
	// A filter with a space travels as \x20; the cap reaches the server.
	tb, err := c.Stats(ctx, "access", accesslog.FilterSpec{UA: "u a|ua"}, client.StatsOptions{By: []tally.Key{tally.KeyURL}, MaxGroups: 3})
	if err != nil || tb.Len() != 3 || !tb.Truncated() || tb.Lines() != 4500 {
		t.Fatalf("capped Stats = %d groups, truncated %v, %d lines, %v", tb.Len(), tb.Truncated(), tb.Lines(), err)
	}
	_, err = c.Stats(ctx, "nosuch", accesslog.FilterSpec{}, client.StatsOptions{})
	var re *client.RemoteError
	if !errors.As(err, &re) || re.Status != wire.StatusUnavailable {
		t.Fatalf("Stats(nosuch) = %v", err)
	}
}

func groupCounts(tb *tally.Table) map[string]int64 {
	m := map[string]int64{}
	for _, g := range tb.Groups() {
		m[strings.Join(g.Values, " ")] = g.Count
	}
	return m
}

// TestPipeStatsEvery: the interval tables of a following stats add up to
// the log, then include what is appended.
func TestPipeStatsEvery(t *testing.T) {
	log, want := statsLog(600, 0)
	c, path := pipeClient(t, log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	total := tally.New([]tally.Key{tally.KeyStatus, tally.KeyPath}, 0)
	appended := false
	more, wantMore := statsLog(30, 600)
	for k, v := range wantMore {
		want[k] += v
	}
	done := false
	err := c.StatsEvery(ctx, "access", accesslog.FilterSpec{}, client.StatsOptions{By: []tally.Key{tally.KeyStatus, tally.KeyPath}}, time.Second, func(tb *tally.Table, w wire.Window) error {
		if err := total.Merge(tb); err != nil {
			return err
		}
		if !appended && total.Lines() == 600 {
			appended = true
			return appendFile(path, more)
		}
		if fmt.Sprint(groupCounts(total)) == fmt.Sprint(want) {
			done = true
			cancel() // ends the request; the server still ends it with Z
		}
		if total.Lines() > 630 {
			return fmt.Errorf("counted %d lines", total.Lines())
		}
		return nil
	})
	if !done || (err != nil && !errors.Is(err, context.Canceled)) {
		t.Fatalf("StatsEvery = %v; total %v", err, groupCounts(total))
	}
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
