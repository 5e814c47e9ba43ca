package client

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/tally"
)

// TestPlainAggregator: plain mode's stats filter first, count a selected
// line that does not parse as unparsed, a line longer than maxPlainLine
// (delivered in pieces) once, and stop after a matching --until-path
// request.
func TestPlainAggregator(t *testing.T) {
	const (
		a404 = `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 404 12 "-" "ua"` + "\n"
		b200 = `1.2.3.4 - - [17/May/2015:10:05:04 +0000] "GET /b?x HTTP/1.1" 200 30 "-" "ua"` + "\n"
		kill = `1.2.3.4 - - [17/May/2015:10:05:05 +0000] "GET /kill HTTP/1.1" 404 0 "-" "ua"` + "\n"
		junk = "not an access log line\n"
	)
	var spec accesslog.FilterSpec
	if err := spec.Set("until-path", "/kill"); err != nil {
		t.Fatal(err)
	}
	a, err := newPlainAggregator(spec, accesslog.Format{}, StatsOptions{By: []tally.Key{tally.KeyPath}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	long := bytes.Repeat([]byte("x"), maxPlainLine)
	feed := [][]byte{[]byte(a404), []byte(b200), []byte(junk), long, long, []byte("end of the long line\n"), []byte(a404), []byte(kill), []byte(b200)}
	var stopped int
	for i, line := range feed {
		if err := a.line(line); errors.Is(err, errStopPath) {
			stopped = i
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int64{}
	for _, g := range a.t.Groups() {
		got[g.Values[0]] = g.Count
	}
	if stopped != 7 || a.t.Unparsed != 2 || len(got) != 3 || got["/a"] != 2 || got["/b"] != 1 || got["/kill"] != 1 {
		t.Errorf("stopped at %d, unparsed %d, groups %v", stopped, a.t.Unparsed, got)
	}

	spec = accesslog.FilterSpec{}
	if err := spec.Set("grep", "("); err != nil {
		t.Fatal(err)
	}
	if _, err := newPlainAggregator(spec, accesslog.Format{}, StatsOptions{}, time.Now()); err == nil {
		t.Error("a bad filter compiled")
	}
}

// TestCheckStats: plain mode refuses --history before anything is
// dialled; weblog mode and plain mode without history pass.
func TestCheckStats(t *testing.T) {
	tests := []struct {
		cfg     SourceConfig
		req     Request
		wantErr bool
	}{
		{SourceConfig{Path: "/var/log/x"}, Request{History: true}, true},
		{SourceConfig{Path: "/var/log/x"}, Request{}, false},
		{SourceConfig{}, Request{History: true}, false},
	}
	for _, tt := range tests {
		err := tt.cfg.CheckStats(tt.req)
		if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, errPlainHistory)) {
			t.Errorf("%+v.CheckStats(%+v) = %v, want error %v", tt.cfg, tt.req, err, tt.wantErr)
		}
	}
}
