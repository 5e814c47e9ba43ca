package subsystem

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/wire"
)

// TestSessionCap: with MaxSessions 1 a second session, in either mode, is
// refused with status 5 while the first runs, and is served once the
// first has ended; the audit log names each session's own client.
func TestSessionCap(t *testing.T) {
	cfg, _ := testConfig(t, "one\n")
	cfg.MaxSessions = 1
	cfg.SessionsDir = t.TempDir()
	var mu sync.Mutex
	var entries []audit.Entry
	cfg.Audit = func(e audit.Entry) {
		mu.Lock()
		defer mu.Unlock()
		entries = append(entries, e)
	}
	srv := cfg.server()
	first := Identity{Key: "SHA256:first", Client: "192.0.2.1:1111"}
	second := Identity{Key: "SHA256:second", Client: "192.0.2.2:2222", Cert: &audit.Cert{ID: "bob", Serial: 7}}

	// The first session: a follow, held until its context ends.
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan wire.Status, 1)
	go func() { done <- srv.Exec(ctx, first, "follow access", w, io.Discard); w.Close() }()
	if _, err := io.ReadFull(r, make([]byte, 4)); err != nil { // "one\n": it runs
		t.Fatal(err)
	}

	var errOut bytes.Buffer
	if st := srv.Exec(context.Background(), second, "cat access", io.Discard, &errOut); st != wire.StatusLimit || !strings.Contains(errOut.String(), "too many sessions for profile test") {
		t.Errorf("a second exec session: %v, %q; want status 5, too many sessions", st, errOut.String())
	}
	errOut.Reset()
	if st := srv.Serve(context.Background(), second, strings.NewReader("version\n"), io.Discard, &errOut); st != wire.StatusLimit || !strings.Contains(errOut.String(), "too many sessions") {
		t.Errorf("a second stream session: %v, %q; want status 5, too many sessions", st, errOut.String())
	}

	cancel()
	if st := <-done; st != wire.StatusOK {
		t.Errorf("the first follow ended with %v", st)
	}
	r.Close()
	var out bytes.Buffer
	if st := srv.Serve(context.Background(), second, strings.NewReader("cat access\n"), &out, io.Discard); st != wire.StatusOK || out.String() != "one\n" {
		t.Errorf("a session after the first ended: %v, %q", st, out.String())
	}

	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, e := range entries {
		cert := ""
		if e.Cert != nil {
			cert = " " + e.Cert.ID
		}
		got = append(got, e.Profile+" "+e.Key+" "+e.Client+" "+e.Verb+" "+string(e.Result)+cert)
	}
	want := []string{
		"test SHA256:second 192.0.2.2:2222  denied bob", // the refused exec
		"test SHA256:second 192.0.2.2:2222  denied bob", // the refused stream
		"test SHA256:first 192.0.2.1:1111 follow ok",
		"test SHA256:second 192.0.2.2:2222 cat ok bob",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if entries[0].Request != "cat access" || entries[1].Request != "" {
		t.Errorf("refused sessions' requests: %q, %q; want the exec line, then none", entries[0].Request, entries[1].Request)
	}
}

// TestSessionCapUnenforceable: a session directory that cannot be used
// fails closed, with status 1, rather than serving without a cap.
func TestSessionCapUnenforceable(t *testing.T) {
	cfg, _ := testConfig(t, "one\n")
	cfg.MaxSessions = 1
	cfg.SessionsDir = "relative/dir"
	var errOut bytes.Buffer
	if st := Exec(context.Background(), cfg, "cat access", io.Discard, &errOut); st != wire.StatusInternal || !strings.Contains(errOut.String(), "cannot enforce the session limit") {
		t.Errorf("an unusable session directory: %v, %q", st, errOut.String())
	}
}
