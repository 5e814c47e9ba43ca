package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// maxFleetRSS is the most memory (peak RSS) weblogctl may use to follow 30
// hosts.
const maxFleetRSS = 64 << 20

// TestFleetFollowRSS: a built weblogctl following 30 embedded servers, with
// 100 lines appended to each, peaks at most at 64 MiB resident.
func TestFleetFollowRSS(t *testing.T) {
	hosts := aliases("web", 30)
	f := startFleet(t, hosts, fleetOptions{})
	bin := buildBin(t, "weblogctl")
	hwm, _ := followAndMeasure(t, bin, f.config, "web[01-30]", len(hosts), func() int {
		for _, h := range hosts {
			f.appendLog(t, h, genHostLines(h, 100, 100, 0, 1))
		}
		return 100 * len(hosts)
	})
	t.Logf("weblogctl following %d embedded servers: peak RSS %.1f MiB", len(hosts), float64(hwm)/(1<<20))
	if hwm > maxFleetRSS {
		t.Errorf("peak RSS %d bytes, want at most %d", hwm, maxFleetRSS)
	}
}

// followAndMeasure runs the weblogctl binary following n hosts named by
// pattern, waits until all follow, calls traffic (which returns how many
// lines it made the hosts log), waits for those lines and returns
// weblogctl's peak and current RSS (VmHWM, VmRSS).
func followAndMeasure(t testing.TB, bin, config, pattern string, n int, traffic func() int) (hwm, rss int64) {
	t.Helper()
	cmd := exec.Command(bin, "-v", "-F", config, "follow", "-n", "0", "--format", "json", "--log", "access", pattern)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	stdout, errPipe := startPiped(t, cmd)
	stderr := newStderrWatch()
	go io.Copy(stderr, errPipe)
	lines := readLines(stdout)
	stderr.waitCount(t, `: following "access"`, n, time.Duration(30+n/10)*time.Second)
	want := traffic()
	collect(t, lines, want, time.Duration(30+n/10)*time.Second)
	if s := stderr.String(); strings.Contains(s, "error") || strings.Contains(s, "warning") {
		t.Errorf("stderr:\n%s", s)
	}
	hwm, rss, err := procMem(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	return hwm, rss
}

// TestFleetScale: weblogctl following many hosts stays within
// fleetRSSLimit, and every line arrives; it measures for the README's
// design note. It follows 100 hosts, or the host counts that
// WEBLOG_FLEET_SCALE lists (e.g. 100,300,1000). Each real follow takes an inotify instance on the
// server side, and the user's limit (fs.inotify.max_user_instances,
// default 128) is shared by every process of the user, so these hosts are
// aliases of one stub SSH server in this process that speaks just enough
// of the protocol (ls, follow) without files: the client does exactly
// what it does against weblog-server.
func TestFleetScale(t *testing.T) {
	counts := os.Getenv("WEBLOG_FLEET_SCALE")
	if counts == "" {
		if testing.Short() {
			t.Skip("-short; set WEBLOG_FLEET_SCALE=100,300,1000 to measure")
		}
		counts = "100"
	}
	bin := buildBin(t, "weblogctl")
	for c := range strings.SplitSeq(counts, ",") {
		n, err := strconv.Atoi(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(c, func(t *testing.T) {
			stub := startStub(t)
			hwm, rss := followAndMeasure(t, bin, stub.config, fmt.Sprintf("h[%05d-%05d]", 1, n), n, func() int {
				stub.send(3) // three lines to every follower
				return 3 * n
			})
			t.Logf("weblogctl following %d hosts: peak RSS %.1f MiB, now %.1f MiB", n, float64(hwm)/(1<<20), float64(rss)/(1<<20))
			if limit := fleetRSSLimit(n); hwm > limit {
				t.Errorf("peak RSS %.1f MiB following %d hosts, want at most %.1f MiB", float64(hwm)/(1<<20), n, float64(limit)/(1<<20))
			}
		})
	}
}

// fleetRSSLimit is the most peak RSS weblogctl may use to follow n hosts:
// the README measures ~12 MiB plus ~140 KiB per host; this allows 16 MiB
// plus 256 KiB per host (the per-host frame buffer and channel state,
// with room for the garbage collector's slack).
func fleetRSSLimit(n int) int64 { return 16<<20 + int64(n)*256<<10 }
