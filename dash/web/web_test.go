package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/dash"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/tally"
)

func TestCheckAddr(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:0": true, "127.0.0.2:1": true,
		"0.0.0.0:8080": false, ":8080": false, "192.0.2.1:80": false, "localhost:80": false, "example.com:80": false, "127.0.0.1": false,
	} {
		if err := CheckAddr(addr, false); (err == nil) != ok {
			t.Errorf("CheckAddr(%q) = %v, want ok %v", addr, err, ok)
		}
	}
	if err := CheckAddr("0.0.0.0:8080", true); err != nil {
		t.Errorf("CheckAddr(0.0.0.0:8080, any) = %v", err)
	}
}

// TestEvents: the stream sends a snapshot at once and another as soon
// as a table arrives; the page and its assets are served with a strict
// CSP; a bad query is refused.
func TestEvents(t *testing.T) {
	d := dash.New([]string{"web1"})
	srv := httptest.NewServer(Handler(Config{Dash: d, Title: "web1", Refresh: time.Hour}))
	defer srv.Close()

	// A deadline for the whole stream: a missed change fails here, not
	// at the test binary's timeout.
	hc := &http.Client{Timeout: 20 * time.Second}
	resp, err := hc.Get(srv.URL + "/events?window=all")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	br := bufio.NewReader(resp.Body)
	next := func() message {
		t.Helper()
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var m message
				if err := json.Unmarshal([]byte(data), &m); err != nil {
					t.Fatal(err)
				}
				return m
			}
		}
	}
	if m := next(); m.Requests != 0 || m.Title != "web1" || m.Hosts[0].State != dash.StateConnecting {
		t.Fatalf("first event = %+v", m)
	}
	tb := tally.New([]tally.Key{tally.KeyStatus}, 0)
	tb.AddGroup(&tally.Group{Values: []string{"404"}, Count: 7})
	d.Apply(fleet.LiveEvent{Kind: fleet.LiveTable, Feed: dash.FeedStatus, Table: tb, First: true, At: time.Now()})
	if m := next(); m.Requests != 7 || m.Hosts[0].State != dash.StateUp { // Refresh is an hour: this came from the change
		t.Fatalf("event after a table = %+v", m)
	}

	for _, p := range []string{"/", "/app.js", "/style.css", "/snapshot.js"} {
		r, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET %s: %s, CSP %q", p, r.Status, r.Header.Get("Content-Security-Policy"))
		}
	}
	for _, q := range []string{"window=2m", "top=0", "top=x"} {
		r, err := http.Get(srv.URL + "/events?" + q)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /events?%s: %s, want 400", q, r.Status)
		}
	}
}
