package main

import (
	"bytes"
	"context"
	mrand "math/rand/v2"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/demo"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/render"
)

// combined matches one line of the combined log format as the demo writes
// it.
var combined = regexp.MustCompile(`^[0-9a-f.:]+ - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "(GET|HEAD|POST) /\S* HTTP/(1\.1|2\.0)" \d{3} (\d+|-) "[^"]*" "[^"]*"$`)

func TestDemoRunsForDuration(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run(context.Background(), []string{"weblogctl", "demo", "--duration", "5s"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("weblogctl demo --duration 5s: status %d\nstderr:\n%s", code, stderr.String())
	}
	if d := time.Since(start); d < 5*time.Second || d > 20*time.Second {
		t.Errorf("demo ran for %v, want about 5s", d)
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) < 10 {
		t.Errorf("demo printed %d lines, want at least 10:\n%s", len(lines), stdout.String())
	}
	for _, l := range lines {
		if !combined.MatchString(l) {
			t.Errorf("not a combined-format line: %q", l)
		}
	}
	if !strings.Contains(stderr.String(), "ssh -F ") || !strings.Contains(stderr.String(), "weblog-demo cat access") {
		t.Errorf("stderr lacks the how-to-try banner:\n%s", stderr.String())
	}
	if entries, err := os.ReadDir(tmp); err != nil || len(entries) != 0 {
		t.Errorf("demo left behind %v (%v)", entries, err)
	}
}

// cancelAfter is a Writer that cancels a context once it has seen n lines,
// like a user pressing Ctrl-C while lines arrive.
type cancelAfter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	n      int
	cancel context.CancelFunc
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if bytes.Count(w.buf.Bytes(), []byte("\n")) >= w.n {
		w.cancel()
	}
	return len(p), nil
}

func TestDemoStopsOnInterrupt(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelAfter{n: 13, cancel: cancel} // 10 lines of history, then new ones
	var stderr bytes.Buffer
	if code := run(ctx, []string{"weblogctl", "demo"}, out, &stderr); code != 0 {
		t.Fatalf("weblogctl demo interrupted: status %d\n%s", code, stderr.String())
	}
	if entries, err := os.ReadDir(tmp); err != nil || len(entries) != 0 {
		t.Errorf("demo left behind %v (%v)", entries, err)
	}
}

func TestDemoUsage(t *testing.T) {
	for _, args := range [][]string{{"demo", "extra"}, {"demo", "--duration", "-1s"}, {"demo", "--duration", "soon"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append([]string{"weblogctl"}, args...), &stdout, &stderr); code != exitUsage {
			t.Errorf("weblogctl %s: status %d, want %d\n%s", strings.Join(args, " "), code, exitUsage, stderr.String())
		}
	}
}

func TestDemoPrettyOnTerminal(t *testing.T) {
	lines := demo.NewTraffic(mrand.New(mrand.NewPCG(3, 4))).History(time.Now(), 12)
	for _, color := range []bool{false, true} {
		var out bytes.Buffer
		p, err := fleet.MakeLinePrinter(&out, "pretty", render.Options{Color: color, Terminal: true}, accesslog.Format{})
		if err != nil {
			t.Fatal(err)
		}
		emit := func(b []byte) error {
			if err := p.Lines(b); err != nil {
				return err
			}
			return p.Flush()
		}
		// Follow hands over several lines at a time.
		half := bytes.IndexByte(lines[len(lines)/2:], '\n') + len(lines)/2 + 1
		if err := emit(lines[:half]); err != nil {
			t.Fatal(err)
		}
		if err := emit(lines[half:]); err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(out.Bytes(), []byte("\n")); n != 12 {
			t.Errorf("color=%v: %d lines out for 12 in:\n%s", color, n, out.String())
		}
		if bytes.Contains(out.Bytes(), []byte("\x1b[")) != color {
			t.Errorf("color=%v: output %q", color, out.String())
		}
		if bytes.Equal(out.Bytes(), lines) || !bytes.Contains(out.Bytes(), []byte("GET")) {
			t.Errorf("color=%v: not the pretty rendering:\n%s", color, out.String())
		}
	}
}
