package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// genRealLog returns a combined log as a busy site writes one: IPv4 and
// IPv6 clients, GET/POST/HEAD, HTTP/1.0–2.0, query strings, "-" sizes,
// referrers and user agents with spaces and escaped quotes, and every
// 97th line garbage. Paths /p/0 … /p/24 appear 200−7k times each (k its
// number), shuffled, so that the top 10 paths have no ties.
func genRealLog(seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	var paths []int
	for k := range 25 {
		for range 200 - 7*k {
			paths = append(paths, k)
		}
	}
	r.Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
	statuses := []int{200, 200, 200, 200, 304, 301, 302, 404, 404, 403, 500, 502, 503, 206}
	methods := []string{"GET", "GET", "GET", "POST", "HEAD"}
	protos := []string{"HTTP/1.1", "HTTP/1.1", "HTTP/2.0", "HTTP/1.0"}
	queries := []string{"", "", "?q=go", "?q=ssh&page=2", "?utm_source=x?y"}
	refs := []string{"-", "-", "https://www.google.com/", "http://Example.COM:8080/blog/?x=1", ""}
	uas := []string{"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "curl/8.5.0", `say \"hi\" bot`, "-"}
	var b strings.Builder
	for i, k := range paths {
		if i%97 == 96 {
			b.WriteString("garbage line without structure\n")
		}
		ip := fmt.Sprintf("%d.%d.%d.%d", 198+r.IntN(2), 51, r.IntN(6), 1+r.IntN(40))
		if r.IntN(10) == 0 {
			ip = fmt.Sprintf("2001:db8:%x::%x", 1+r.IntN(3), 1+r.IntN(20))
		}
		size := strconv.Itoa(r.IntN(30000))
		if r.IntN(9) == 0 {
			size = "-"
		}
		fmt.Fprintf(&b, "%s - - [03/Dec/2026:%02d:%02d:%02d +0100] \"%s /p/%d%s %s\" %d %s \"%s\" \"%s\"\n",
			ip, 10+i/3600, i/60%60, i%60, methods[r.IntN(len(methods))], k, queries[r.IntN(len(queries))],
			protos[r.IntN(len(protos))], statuses[r.IntN(len(statuses))], size, refs[r.IntN(len(refs))], uas[r.IntN(len(uas))])
	}
	return []byte(b.String())
}

// statsRow is one row of `stats --format json`.
type statsRow struct {
	Host     string  `json:"host"`
	Status   *int    `json:"status"`
	Path     *string `json:"path"`
	IP       *string `json:"ip"`
	Count    int64   `json:"count"`
	Bytes    int64   `json:"bytes"`
	Unparsed bool    `json:"unparsed"`
	Overflow bool    `json:"overflow"`
}

// statsJSON runs weblogctl with args (ending in a JSON stats request)
// and returns its rows; it fails the test on any exit status or stderr.
func statsJSON(t *testing.T, args ...string) []statsRow {
	t.Helper()
	code, stdout, stderr := runWeblogctl(t, args...)
	if code != 0 || stderr != "" {
		t.Fatalf("weblogctl %q: exit %d, stderr:\n%s", args, code, stderr)
	}
	var rows []statsRow
	for line := range strings.SplitSeq(strings.TrimSuffix(stdout, "\n"), "\n") {
		var r statsRow
		d := json.NewDecoder(strings.NewReader(line))
		d.DisallowUnknownFields()
		if err := d.Decode(&r); err != nil {
			t.Fatalf("row %q: %v", line, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// pipeline runs a shell pipeline over the file named $LOG (awk, sort,
// uniq: the independent count) and returns its output's lines as
// (count, value) pairs, in order.
func pipeline(t *testing.T, log, script string) (counts []int64, values []string) {
	t.Helper()
	for _, tool := range []string{"awk", "sort", "uniq", "sed", "head"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), "LOG="+log, "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatalf("%s: line %q", script, sc.Text())
		}
		counts = append(counts, n)
		values = append(values, strings.Join(f[1:], " "))
	}
	return counts, values
}

// statsServer starts a real sshd whose key's forced command is
// weblog-server serving access=log with the extra options, and returns
// its ssh_config (alias web1).
func statsServer(t *testing.T, log, extra string) string {
	t.Helper()
	cmdline := buildBin(t, "weblog-server") + " --log access=" + log + extra
	s := sshdtest.Start(t, sshdtest.Options{KeyOptions: "restrict,command=" + strconv.Quote(cmdline)})
	cfg, err := s.SSHConfig("web1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestStatsAgainstAwk: through a real sshd, `stats --by status` counts
// every status as awk does, the garbage lines in the (unparsed) row, and
// `stats --by path --top 10` gives awk|sort|uniq -c|sort -rn|head's paths
// and counts, in its order.
func TestStatsAgainstAwk(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	content := genRealLog(11) // 302 and 304 tie: 230 lines each
	if err := os.WriteFile(log, content, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := statsServer(t, log, "")

	rows := statsJSON(t, "-F", cfg, "stats", "--by", "status", "--format", "json", "web1", "access")
	// In the documented order: count descending, then the value.
	counts, values := pipeline(t, log, `awk '$9 ~ /^[0-9][0-9][0-9]$/ {print $9}' "$LOG" | sort | uniq -c | sort -k1,1nr -k2`)
	want := map[int]int64{}
	var parsed int64
	for i, v := range values {
		s, _ := strconv.Atoi(v)
		want[s] = counts[i]
		parsed += counts[i]
	}
	total := int64(strings.Count(string(content), "\n"))
	got := map[int]int64{}
	var unparsed int64
	for i, r := range rows {
		switch {
		case r.Unparsed:
			if r.Status != nil || i != len(rows)-1 {
				t.Errorf("unparsed row %d of %d: %+v", i, len(rows), r)
			}
			unparsed = r.Count
		case r.Status == nil:
			t.Errorf("row without a status: %+v", r)
		default:
			got[*r.Status] = r.Count
			if i >= len(values) || strconv.Itoa(*r.Status) != values[i] {
				t.Errorf("row %d: status %d, the pipeline's %q", i, *r.Status, values[min(i, len(values)-1)])
			}
		}
	}
	if len(got) != len(want) || len(want) < 8 {
		t.Errorf("statuses %v, awk %v", got, want)
	}
	for s, n := range want {
		if got[s] != n {
			t.Errorf("status %d: count %d, awk %d", s, got[s], n)
		}
	}
	if unparsed != total-parsed || unparsed == 0 {
		t.Errorf("unparsed %d, want %d (%d lines, awk parsed %d)", unparsed, total-parsed, total, parsed)
	}

	rows = statsJSON(t, "-F", cfg, "stats", "--by", "path", "--top", "10", "--format", "json", "web1", "access")
	counts, values = pipeline(t, log, `awk '{print $7}' "$LOG" | sed 's/?.*//' | sort | uniq -c | sort -rn | head`)
	var paths []statsRow
	for _, r := range rows {
		if !r.Unparsed {
			paths = append(paths, r)
		}
	}
	if len(paths) != 10 || len(values) != 10 {
		t.Fatalf("%d paths, awk %d:\n%+v", len(paths), len(values), rows)
	}
	for i, r := range paths {
		if *r.Path != values[i] || r.Count != counts[i] {
			t.Errorf("top %d: %s %d, awk %s %d", i+1, *r.Path, r.Count, values[i], counts[i])
		}
	}
}

// TestStatsRedacted: with --redact ip on the authorized_keys line, no
// full client address reaches a group key: every ip value is its own /24
// (IPv4) or /48 (IPv6) network address.
func TestStatsRedacted(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(log, genRealLog(2), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := statsServer(t, log, " --redact ip")
	rows := statsJSON(t, "-F", cfg, "stats", "--by", "ip", "--format", "json", "web1", "access")
	seen := 0
	for _, r := range rows {
		if r.Unparsed {
			continue
		}
		a, err := netip.ParseAddr(*r.IP)
		if err != nil {
			t.Errorf("ip %q: %v", *r.IP, err)
			continue
		}
		bits := 24
		if a.Is6() {
			bits = 48
		}
		if p, _ := a.Prefix(bits); p.Addr() != a {
			t.Errorf("ip %s is not masked to /%d", a, bits)
		}
		seen++
	}
	if seen < 5 {
		t.Errorf("only %d addresses: %+v", seen, rows)
	}
}

// TestStatsPlain: plain mode (--path, nothing installed) aggregates here
// and prints what weblog-server's aggregation prints.
func TestStatsPlain(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(log, genRealLog(3), 0o644); err != nil {
		t.Fatal(err)
	}
	served := statsServer(t, log, "")
	s := sshdtest.Start(t, sshdtest.Options{})
	plain, err := s.SSHConfig("web1")
	if err != nil {
		t.Fatal(err)
	}
	for _, flags := range [][]string{
		{"--by", "status,path"}, // the garbage lines too: an (unparsed) row
		{"--by", "ip/24,day", "--status", "2xx,4xx"},
		{"--by", "referrer-host", "--url", "^/p/1", "--top", "2"},
	} {
		args := append(append([]string{"stats"}, flags...), "--format", "csv", "web1")
		code, want, stderr := runWeblogctl(t, append([]string{"-F", served}, append(args, "access")...)...)
		if code != 0 || stderr != "" {
			t.Fatalf("weblog mode: exit %d, %s", code, stderr)
		}
		code, got, stderr := runWeblogctl(t, append([]string{"-F", plain}, append(args, "--path", log)...)...)
		if code != 0 || stderr != "" {
			t.Fatalf("plain mode: exit %d, %s", code, stderr)
		}
		if got != want || strings.Count(want, "\n") < 3 {
			t.Errorf("%q: plain mode printed\n%s\nweblog mode\n%s", flags, got, want)
		}
	}
}

// TestStatsFleet: over three hosts, the merged stats are those of a
// fourth host serving the three logs concatenated, --top included; the
// --per-host rows add up to them; a group cap hit on each host is
// warned about and counted in an (overflow) row; a host that cannot be
// reached is reported and left out of the totals, exit 255.
func TestStatsFleet(t *testing.T) {
	logs := map[string][]byte{"web1": genRealLog(11), "web2": genRealLog(12), "web3": genRealLog(13)}
	logs["all"] = append(append(append([]byte{}, logs["web1"]...), logs["web2"]...), logs["web3"]...)
	f := startFleet(t, []string{"web1", "web2", "web3", "all", "dead"}, fleetOptions{logs: func(h string) []byte { return logs[h] }})
	for _, args := range [][]string{
		{"--by", "status,path", "--format", "json"},
		{"--by", "path", "--top", "10", "--format", "json"},
		{"--by", "ip/24", "--sort", "bytes", "--top", "5"},
	} {
		args = append([]string{"-F", f.config, "stats"}, args...)
		_, want, _ := runWeblogctl(t, append(args, "all")...)
		code, got, stderr := runWeblogctl(t, append(args, "--log", "access", "web[1-3]")...)
		if code != 0 || stderr != "" || got != want || want == "" {
			t.Errorf("%q: exit %d, stderr %q; merged\n%s\nconcatenated\n%s", args, code, stderr, got, want)
		}
	}

	total := statsJSON(t, "-F", f.config, "stats", "--by", "status,path", "--format", "json", "all")
	perHost := statsJSON(t, "-F", f.config, "stats", "--by", "status,path", "--per-host", "--format", "json", "--log", "access", "web[1-3]")
	type key struct {
		status   int
		path     string
		unparsed bool
	}
	sum := map[key][2]int64{}
	hosts := map[string]bool{}
	for _, r := range perHost {
		k := key{unparsed: r.Unparsed}
		if !r.Unparsed {
			k.status, k.path = *r.Status, *r.Path
		}
		s := sum[k]
		sum[k] = [2]int64{s[0] + r.Count, s[1] + r.Bytes}
		hosts[r.Host] = true
	}
	if len(hosts) != 3 || len(sum) != len(total) {
		t.Errorf("per-host rows of hosts %v make %d groups, the totals %d", hosts, len(sum), len(total))
	}
	for _, r := range total {
		k := key{unparsed: r.Unparsed}
		if !r.Unparsed {
			k.status, k.path = *r.Status, *r.Path
		}
		if s := sum[k]; s != [2]int64{r.Count, r.Bytes} {
			t.Errorf("%+v: per-host rows sum to %v, the total is %d %d", k, s, r.Count, r.Bytes)
		}
	}

	code, stdout, stderr := runWeblogctl(t, "-F", f.config, "stats", "--by", "status", "--format", "json", "--log", "access", "web1", "dead", "web2")
	var counted int64
	for line := range strings.SplitSeq(strings.TrimSpace(stdout), "\n") {
		var r statsRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		counted += r.Count
	}
	if want := int64(strings.Count(string(logs["web1"])+string(logs["web2"]), "\n")); code != 255 || counted != want ||
		!strings.HasPrefix(stderr, "weblogctl: error: dead: dial dead") || strings.Count(stderr, "weblogctl: error:") != 1 {
		t.Errorf("a dead host: exit %d, %d lines counted (want %d), stderr:\n%s", code, counted, want, stderr)
	}

	code, stdout, stderr = runWeblogctl(t, "-F", f.config, "stats", "--by", "path", "--max-groups", "4", "--format", "json", "--log", "access", "web[1-3]")
	if code != 0 || strings.Count(stderr, "weblogctl: warning: ") != 3 || !strings.Contains(stderr, "web2: the group cap (4 groups) was reached") {
		t.Errorf("group cap: exit %d, stderr:\n%s", code, stderr)
	}
	var lines int64
	overflow := false
	for line := range strings.SplitSeq(strings.TrimSpace(stdout), "\n") {
		var r statsRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		lines += r.Count
		overflow = overflow || (r.Overflow && r.Path == nil && r.Count > 0)
	}
	if want := int64(strings.Count(string(logs["all"]), "\n")); lines != want || !overflow {
		t.Errorf("group cap: rows count %d lines, want %d; overflow row: %v\n%s", lines, want, overflow, stdout)
	}
}

// TestStatsUsage: mistakes are usage errors (exit 2) found before any
// host is dialled (-F none: web1 would not resolve).
func TestStatsUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--by", "nope", "web1"}, `stats: --by: unknown group key "nope"`},
		{[]string{"--by", "status,status", "web1"}, "given twice"},
		{[]string{"web1"}, "--by: want at least one group key"},
		{[]string{"--by", "status", "--sort", "p95", "web1"}, `--sort "p95": want count, bytes or p99`},
		{[]string{"--by", "status", "--top", "0", "web1"}, "--top must be at least 1"},
		{[]string{"--by", "status", "--top", "-3", "web1"}, "--top must be at least 1"},
		{[]string{"--by", "status", "--format", "xml", "web1"}, `--format "xml": want table, json or csv`},
		{[]string{"--by", "status", "--max-groups", "0", "web1"}, "--max-groups must be between 1 and"},
		{[]string{"--by", "status", "--status", "4xy", "web1"}, "stats --status"},
		{[]string{"--by", "status", "--url", "(", "web1"}, "stats --url"},
		{[]string{"--by", "status", "--path", "/x", "--history", "web1"}, "--history needs weblog-server"},
		{[]string{"--by", "status"}, "stats: want HOST"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runWeblogctl(t, append([]string{"-F", "none", "stats"}, tt.args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("weblogctl stats %q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}

// TestStatsDurations: with a format that logs %D, each group has
// p50/p90/p99 within 1% of the durations' ranks ⌊q·(n−1)⌋, and --sort p99
// puts the slowest group first although it has the fewest lines.
func TestStatsDurations(t *testing.T) {
	var b strings.Builder
	line := func(path string, us int) {
		fmt.Fprintf(&b, "192.0.2.1 - - [03/Dec/2026:10:00:00 +0000] \"GET %s HTTP/1.1\" 200 10 \"-\" \"t\" %d\n", path, us)
	}
	for i := 100; i >= 1; i-- {
		line("/fast", i*1000) // 1 … 100 ms
	}
	for range 3 {
		line("/slow", 900_000)
	}
	log := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := statsServer(t, log, ` --log-format 'access=%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D'`)
	code, stdout, stderr := runWeblogctl(t, "-F", cfg, "stats", "--by", "path", "--sort", "p99", "--format", "json", "web1")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	type row struct {
		Path          string
		Count         int
		P50, P90, P99 float64
	}
	var rows []row
	for l := range strings.SplitSeq(strings.TrimSpace(stdout), "\n") {
		var r struct {
			Path  string
			Count int
			P50   float64 `json:"p50_ms"`
			P90   float64 `json:"p90_ms"`
			P99   float64 `json:"p99_ms"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row(r))
	}
	near := func(got, want float64) bool { return got >= want*0.99 && got <= want*1.01 }
	if len(rows) != 2 || rows[0].Path != "/slow" || rows[0].Count != 3 || !near(rows[0].P99, 900) ||
		rows[1].Path != "/fast" || !near(rows[1].P50, 50) || !near(rows[1].P90, 90) || !near(rows[1].P99, 99) {
		t.Errorf("rows %+v\n%s", rows, stdout)
	}
}
