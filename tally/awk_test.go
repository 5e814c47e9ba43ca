package tally

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/accesslog"
)

// awkKey computes, per line of a combined log, the value of one key: the
// independent reference the tests compare Table with. Lines that do not
// split into the combined log's quoted fields count as unparsed.
const awkKey = `
BEGIN { FS = "\""; split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
        for (i = 1; i <= 12; i++) m[mon[i]] = sprintf("%02d", i) }
NF != 7 { unparsed++; next }
{
	split($1, pre, " "); ip = pre[1]; ts = substr(pre[4], 2)   # dd/Mon/yyyy:HH:MM:SS
	split($2, rq, " "); split($3, sb, " ")
	status = sb[1]; bytes = (sb[2] == "-") ? 0 : sb[2]
	url = rq[2]; path = url; q = index(url, "?"); if (q > 0) path = substr(url, 1, q - 1)
	day = substr(ts, 8, 4) "-" m[substr(ts, 4, 3)] "-" substr(ts, 1, 2)
	hh = substr(ts, 13, 2); mm = substr(ts, 16, 2)
	ref = ($4 == "-") ? "-" : $4
	rhost = ref
	if (ref == "") rhost = "-"
	else if ((p = index(ref, "://")) > 0) {
		rhost = substr(ref, p + 3); e = match(rhost, /[\/?#]/); if (e > 0) rhost = substr(rhost, 1, e - 1)
		a = index(rhost, "@"); if (a > 0) rhost = substr(rhost, a + 1); rhost = tolower(rhost)
	}
	if (index(ip, ":") > 0) { n = split(ip, g, ":"); net = g[1] ":" g[2] ":" g[3] "::/48" }
	else { split(ip, o, "."); net = o[1] "." o[2] "." o[3] ".0/24" }
	cls = substr(status, 1, 1) "xx"
	if (key == "status") v = status
	else if (key == "class") v = cls
	else if (key == "method") v = rq[1]
	else if (key == "path") v = path
	else if (key == "url") v = url
	else if (key == "referrer") v = ref
	else if (key == "referrer-host") v = rhost
	else if (key == "ip") v = ip
	else if (key == "ip/24") v = net
	else if (key == "ua") v = ($6 == "-") ? "-" : $6
	else if (key == "vhost") v = "-"
	else if (key == "minute") v = day "T" hh ":" mm "Z"
	else if (key == "hour") v = day "T" hh ":00Z"
	else if (key == "day") v = day
	else if (key == "status,path") v = status "\t" path
	count[v]++; sum[v] += bytes
}
END { for (v in count) printf "%s\t%d\t%d\n", v, count[v], sum[v]; printf "(unparsed)\t%d\t0\n", unparsed }
`

type cell struct{ count, bytes int64 }

// runAwk runs awk over path for key and returns value → count, bytes.
func runAwk(t *testing.T, path, key string) map[string]cell {
	t.Helper()
	awk, err := exec.LookPath("awk")
	if err != nil {
		if os.Getenv("WEBLOG_REQUIRE_TOOLS") != "" {
			t.Fatal("awk is required")
		}
		t.Skip("no awk")
	}
	out, err := exec.Command(awk, "-v", "key="+key, awkKey, path).Output()
	if err != nil {
		t.Fatalf("awk: %v", err)
	}
	got := map[string]cell{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		c, _ := strconv.ParseInt(f[len(f)-2], 10, 64)
		b, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
		got[strings.Join(f[:len(f)-2], "\t")] = cell{c, b}
	}
	return got
}

// tableOf aggregates log, a combined log, by keys.
func tableOf(t testing.TB, log string, keys []Key, max int, f accesslog.Format) *Table {
	t.Helper()
	tb := New(keys, max)
	p := accesslog.NewParser(f)
	var rec accesslog.Record
	for _, line := range strings.SplitAfter(log, "\n") {
		if line == "" {
			continue
		}
		if err := p.Parse([]byte(line), &rec); err != nil {
			tb.AddUnparsed()
			continue
		}
		tb.Add(&rec)
	}
	return tb
}

func cells(tb *Table) map[string]cell {
	m := map[string]cell{}
	for _, g := range tb.Groups() {
		m[strings.Join(g.Values, "\t")] = cell{g.Count, g.Bytes}
	}
	m["(unparsed)"] = cell{tb.Unparsed, 0}
	return m
}

// TestAgainstAwk checks every key, and status,path, against awk over the
// same file.
func TestAgainstAwk(t *testing.T) {
	log := genLog(20000, 7, false)
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	specs := []string{"status,path"}
	for _, k := range Keys() {
		specs = append(specs, string(k))
	}
	for _, spec := range specs {
		keys, err := ParseKeys(spec)
		if err != nil {
			t.Fatal(err)
		}
		got := cells(tableOf(t, log, keys, 0, accesslog.Combined()))
		want := runAwk(t, path, spec)
		if len(got) < 2 {
			t.Fatalf("--by %s: only %d groups", spec, len(got))
		}
		for v, w := range want {
			if got[v] != w {
				t.Errorf("--by %s: group %q = %+v, awk says %+v", spec, v, got[v], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("--by %s: %d groups, awk has %d", spec, len(got), len(want))
		}
	}
}
