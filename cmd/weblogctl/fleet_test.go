package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFleetFollowJSON: following 20 hosts, 50 lines appended to each
// arrive as 1,000 JSON lines, each with the right host.
func TestFleetFollowJSON(t *testing.T) {
	hosts := aliases("web", 20)
	f := startFleet(t, hosts, fleetOptions{})
	lines, stderr, stop := startRun(t, "-v", "-F", f.config, "follow", "-n", "0", "--format", "json", "--log", "access", "web[01-20]")
	stderr.waitCount(t, ": following \"access\"", 20, 30*time.Second)
	for _, h := range hosts {
		f.appendLog(t, h, genHostLines(h, 100, 50, 0, 1))
	}
	got := collect(t, lines, 1000, 30*time.Second)
	perHost := map[string]int{}
	for _, l := range got {
		var rec struct {
			Host string `json:"host"`
			Path string `json:"path"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("not JSON: %q: %v", l, err)
		}
		if !strings.HasPrefix(rec.Path, "/"+rec.Host+"/page/") {
			t.Fatalf("line of %q labelled %q", rec.Path, rec.Host)
		}
		perHost[rec.Host]++
	}
	for _, h := range hosts {
		if perHost[h] != 50 {
			t.Errorf("%s: %d lines, want 50", h, perHost[h])
		}
	}
	if code := stop(); code != 130 {
		t.Errorf("interrupted follow exited %d, want 130", code)
	}
	if s := stderr.String(); strings.Contains(s, "error") || strings.Contains(s, "warning") {
		t.Errorf("stderr:\n%s", s)
	}
}

// TestFleetLsPattern: `weblogctl ls 'web[01-30]'` lists all 30 hosts' logs,
// in host order.
func TestFleetLsPattern(t *testing.T) {
	hosts := aliases("web", 30)
	f := startFleet(t, hosts, fleetOptions{})
	code, stdout, stderr := runWeblogctl(t, "-F", f.config, "ls", "web[01-30]")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	rows := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(rows) != 30 {
		t.Fatalf("ls printed %d rows, want 30:\n%s", len(rows), stdout)
	}
	size := len(genHostLog("web01", 10))
	for i, row := range rows {
		want := regexp.MustCompile(fmt.Sprintf(`^%s  access  %d  \d{4}-\d\d-\d\dT`, hosts[i], size))
		if !want.MatchString(row) {
			t.Errorf("row %d = %q, want %v", i, row, want)
		}
	}
}

// TestFleetHostSpecs: groups from the config file, --hosts-file and
// patterns name hosts; each host is listed once.
func TestFleetHostSpecs(t *testing.T) {
	f := startFleet(t, []string{"web1", "web2", "web3", "db1", "db2"}, fleetOptions{})
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	if err := os.MkdirAll(filepath.Join(xdg, "weblogctl"), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := "[groups]\nweb = [\"web[1-2]\"]\nall = [\"@web\", \"db{1,2}\"]\n"
	if err := os.WriteFile(filepath.Join(xdg, "weblogctl", "config.toml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	hostsFile := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hostsFile, []byte("# more\nweb3\n  web1   # again\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runWeblogctl(t, "-F", f.config, "ls", "--hosts-file", hostsFile, "@all", "web2")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var got []string
	for row := range strings.SplitSeq(strings.TrimSpace(stdout), "\n") {
		got = append(got, strings.Fields(row)[0])
	}
	if want := []string{"web1", "web2", "db1", "db2", "web3"}; !slices.Equal(got, want) {
		t.Errorf("hosts listed %q, want %q", got, want)
	}
}

// TestFleetFetchPartial: `fetch -o DIR web01 web02 dead web03` writes the
// three reachable hosts' logs byte-exactly, names dead on stderr and
// exits 255.
func TestFleetFetchPartial(t *testing.T) {
	f := startFleet(t, []string{"web01", "web02", "dead", "web03"}, fleetOptions{logs: func(h string) []byte {
		b := genHostLog(h, 500)
		return append(b, "last line without newline, \xff\xfe invalid UTF-8"...)
	}})
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runWeblogctl(t, "-F", f.config, "fetch", "-o", dir, "web01", "web02", "dead", "web03")
	if code != 255 {
		t.Errorf("exit %d, want 255", code)
	}
	if stdout != "" {
		t.Errorf("stdout: %q", stdout)
	}
	if !regexp.MustCompile(`(?m)^weblogctl: error: dead: dial dead \(127\.0\.0\.1:\d+\): connect: connection refused$`).MatchString(stderr) ||
		strings.Count(stderr, "weblogctl: error:") != 1 {
		t.Errorf("stderr:\n%s", stderr)
	}
	for _, h := range []string{"web01", "web02", "web03"} {
		got, err := os.ReadFile(filepath.Join(dir, h, "access"))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(f.logs[h])
		if !bytes.Equal(got, want) {
			t.Errorf("%s: fetched %d bytes, want the log's %d", h, len(got), len(want))
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("%s holds %d entries, want 3", dir, len(entries))
	}
}

// TestFleetLabels: without -o, each host's lines come labelled and
// aligned; raw keeps the bytes after the label; a single plain host is
// not labelled.
func TestFleetLabels(t *testing.T) {
	f := startFleet(t, []string{"a", "bbb"}, fleetOptions{logs: func(h string) []byte {
		return append(genHostLog(h, 3), "garbage \x01 line"...)
	}})
	code, stdout, stderr := runWeblogctl(t, "-F", f.config, "filter", "--format", "raw", "--log", "access", "a", "bbb")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := map[string]bool{}
	for _, h := range []string{"a", "bbb"} {
		log, _ := os.ReadFile(f.logs[h])
		label := fmt.Sprintf("%-4s ", h+":")
		for l := range strings.SplitSeq(string(log), "\n") {
			want[label+l] = true
		}
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 8 {
		t.Fatalf("got %d lines, want 8:\n%s", len(lines), stdout)
	}
	for _, l := range lines {
		if !want[l] {
			t.Errorf("unexpected line %q", l)
		}
	}
	// fetch without -o: the same, and verified.
	code, stdout2, stderr := runWeblogctl(t, "-F", f.config, "fetch", "--merge", "time", "a,bbb")
	if code != 0 || stderr != "" {
		t.Fatalf("fetch: exit %d, stderr:\n%s", code, stderr)
	}
	if got := strings.Split(strings.TrimSuffix(stdout2, "\n"), "\n"); len(got) != 8 || !want[got[0]] || !want[got[7]] {
		t.Errorf("fetch printed:\n%s", stdout2)
	}
	// One plain host: the log, unlabelled.
	code, stdout, _ = runWeblogctl(t, "-F", f.config, "fetch", "a", "access")
	if log, _ := os.ReadFile(f.logs["a"]); code != 0 || stdout != string(log) {
		t.Errorf("fetch a access: exit %d, %q", code, stdout)
	}
	// Two operands are HOST LOG; when the "log" was meant as a host, the
	// hint says how to name several hosts.
	code, stdout, stderr = runWeblogctl(t, "-F", f.config, "fetch", "a", "bbb")
	if code != 3 || stdout != "" || !strings.Contains(stderr, `weblogctl: hint: two operands are HOST LOG; to name several hosts, give the log with --log (weblogctl fetch --log NAME a bbb)`) {
		t.Errorf("fetch a bbb: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}

// TestFleetFollowMergeTime: following two hosts with --merge time, lines
// appended with interleaved timestamps come out in time order.
func TestFleetFollowMergeTime(t *testing.T) {
	f := startFleet(t, []string{"even", "odd"}, fleetOptions{})
	lines, stderr, stop := startRun(t, "-v", "-F", f.config, "follow", "-n", "0", "--merge", "time", "--format", "json", "--log", "access", "even", "odd")
	stderr.waitCount(t, `: following "access"`, 2, 30*time.Second)
	f.appendLog(t, "odd", genHostLines("odd", 0, 50, 1001, 2))
	f.appendLog(t, "even", genHostLines("even", 0, 50, 1000, 2))
	var prev time.Time
	for i, l := range collect(t, lines, 100, 30*time.Second) {
		var rec struct {
			Host string    `json:"host"`
			Time time.Time `json:"time"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Time.Before(prev) {
			t.Errorf("line %d (%s, %s) is earlier than the one before (%s)", i, rec.Host, rec.Time, prev)
		}
		prev = rec.Time
	}
	stop()
}

// TestFleetMergeTime: `filter --merge time` over two hosts with
// interleaved timestamps prints their lines in time order; arrival order
// prints the same lines.
func TestFleetMergeTime(t *testing.T) {
	f := startFleet(t, []string{"even", "odd"}, fleetOptions{logs: func(h string) []byte {
		start := 0
		if h == "odd" {
			start = 1
		}
		// 2,000 lines each, two seconds apart, interleaved with the
		// other host's; and a line without a timestamp after line 1000.
		b := genHostLines(h, 0, 1000, start, 2)
		b = append(b, "no timestamp here, "+h+"\n"...)
		return append(b, genHostLines(h, 1000, 1000, start, 2)...)
	}})
	code, stdout, stderr := runWeblogctl(t, "-F", f.config, "filter", "--merge", "time", "--format", "json", "--log", "access", "even", "odd")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 4002 {
		t.Fatalf("%d lines, want 4002", len(lines))
	}
	var prev time.Time
	for i, l := range lines {
		var rec struct {
			Host string    `json:"host"`
			Time time.Time `json:"time"`
			Raw  string    `json:"raw"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Raw != "" {
			// Right behind its host's line 999.
			if !strings.Contains(lines[i-1], `"/`+rec.Host+`/page/999"`) {
				t.Errorf("line %d %q follows %q", i, l, lines[i-1])
			}
			continue
		}
		if rec.Time.Before(prev) {
			t.Fatalf("line %d (%s) is earlier than the one before (%s)", i, rec.Time, prev)
		}
		if want := map[bool]string{true: "odd", false: "even"}[rec.Time.Second()%2 == 1]; rec.Host != want {
			t.Fatalf("line %d at %s labelled %s", i, rec.Time, rec.Host)
		}
		prev = rec.Time
	}
	code, arrival, _ := runWeblogctl(t, "-F", f.config, "filter", "--format", "json", "--log", "access", "even", "odd")
	a, m := strings.Split(arrival, "\n"), strings.Split(stdout, "\n")
	slices.Sort(a)
	slices.Sort(m)
	if code != 0 || !slices.Equal(a, m) {
		t.Errorf("arrival order: exit %d, not the same lines", code)
	}
}

// TestFleetUsage: mistakes in the operands are usage errors (exit 2),
// found before anything is dialled.
func TestFleetUsage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ls"}, "ls: want HOST…"},
		{[]string{"ls", "web["}, "unclosed ["},
		{[]string{"ls", "web[1-20000]"}, "names more than 10000 hosts"},
		{[]string{"ls", "@nope"}, "no group @nope in "},
		{[]string{"follow", "web1", "--", "--log"}, `"--log" is not a host`},
		{[]string{"fetch", "--log", "../x", "web1", "web2"}, "invalid log name"},
		{[]string{"fetch", "--merge", "time", "-o", "d", "--log", "access", "web1", "web2"}, "--merge time orders output on stdout"},
		{[]string{"filter", "--merge", "bogus", "web1", "web2", "web3"}, `--merge "bogus": want arrival or time`},
		{[]string{"ls", "-j", "0", "web1", "web2"}, "-j must be at least 1"},
		{[]string{"fetch", "-o", "d", "a/b", "a_b", "c"}, `would share the directory "a_b"`},
		{[]string{"ls", "--hosts-file", "/nonexistent", "web1"}, "--hosts-file /nonexistent: no such file"},
		{[]string{"follow", "--merge-delay", "0", "web{1,2}"}, "--merge-delay must be positive"},
		{[]string{"follow", "--path", "/x", "--log", "access", "web1"}, "--log and --path"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runWeblogctl(t, append([]string{"-F", "none"}, tt.args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("weblogctl %q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}

// startRun runs weblogctl with args in the test's process: it returns
// its output lines, its stderr, and stop, which interrupts it and returns
// its exit status.
func startRun(t testing.TB, args ...string) (lines <-chan string, stderr *stderrWatch, stop func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	stderr = newStderrWatch()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"weblogctl"}, args...), pw, stderr)
		pw.Close()
	}()
	return readLines(pr), stderr, func() int {
		cancel()
		return <-done
	}
}
