package main

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// startTopWeb runs weblogctl top --web against f's hosts and returns
// the URL it prints.
func startTopWeb(t *testing.T, f *testFleet, hosts ...string) string {
	t.Helper()
	bin := buildBin(t, "weblogctl")
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"-F", f.config, "top", "--web", "127.0.0.1:0", "--log", "access"}, hosts...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cmd.Environ(), "HOME="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("weblogctl stderr:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the URL: %v; stderr:\n%s", err, stderr.String())
	}
	url := strings.TrimSpace(line)
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/$`).MatchString(url) {
		t.Fatalf("printed %q, want the page's URL", line)
	}
	return url
}

// dumpDOM loads url in headless Chromium and returns the DOM when the
// page has loaded: drawn from the snapshot it loads first (the stream
// that follows never ends, which Chromium's virtual time would wait for).
func dumpDOM(t *testing.T, chromium, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// domRow matches a row of the table id in the DOM: count and key.
func domRow(id string, count int, key string) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`(?s)<table id="%s">.*?<tr><td class="count">%d</td><td class="key">%s</td></tr>`, id, count, regexp.QuoteMeta(html.EscapeString(key))))
}

// TestTopWebChromium: the --web page, loaded in headless Chromium, shows
// the known log's top paths and class counts, and the appended lines
// on the next load.
func TestTopWebChromium(t *testing.T) {
	chromium := sshdtest.Require(t, "chromium", "/usr/bin/chromium")
	log := genTopLog("web1", 2000)
	f := startFleet(t, []string{"web1"}, fleetOptions{logs: func(string) []byte { return log.data }})
	url := startTopWeb(t, f, "web1")

	check := func(dom string, fresh int) bool {
		for _, p := range log.top(8) {
			if !domRow("paths", log.paths[p], p).MatchString(dom) {
				return false
			}
		}
		for c, n := range log.classes {
			if c == "5xx" {
				n += fresh
			}
			if !strings.Contains(dom, fmt.Sprintf(`<td class="key">%s</td><td class="count">%d</td>`, c, n)) {
				return false
			}
		}
		return strings.Contains(dom, fmt.Sprintf(`<b id="requests">%d</b>`, 2000+fresh))
	}
	var dom string
	deadline := time.Now().Add(30 * time.Second)
	for dom = dumpDOM(t, chromium, url); !check(dom, 0); dom = dumpDOM(t, chromium, url) {
		if time.Now().After(deadline) {
			t.Fatalf("the page does not show the log's counts:\n%s", dom)
		}
	}
	if !strings.Contains(dom, `<tr class="up"><td class="key">web1</td><td>up</td>`) {
		t.Errorf("the page does not show web1 up:\n%s", dom)
	}

	var fresh strings.Builder
	now := time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700")
	for i := range 41 {
		fmt.Fprintf(&fresh, "203.0.113.9 - - [%s] \"GET /fresh/page HTTP/1.1\" 503 %d \"-\" \"late\"\n", now, i)
	}
	f.appendLog(t, "web1", []byte(fresh.String()))
	deadline = time.Now().Add(30 * time.Second)
	for dom = dumpDOM(t, chromium, url); !check(dom, 41) || !domRow("paths", 41, "/fresh/page").MatchString(dom); dom = dumpDOM(t, chromium, url) {
		if time.Now().After(deadline) {
			t.Fatalf("the page does not show the appended lines:\n%s", dom)
		}
	}
}
