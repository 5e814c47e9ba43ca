package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// addRatio adds a row comparing the medians of p; target 0 means none.
func (b *bench) addRatio(what string, p pair, target float64) {
	om, tm := median(walls(p.Ours)), median(walls(p.Theirs))
	r := row{What: what, Ours: fmtRuns(p.Ours), Theirs: fmtRuns(p.Theirs), Ratio: ratio(om, tm)}
	if target > 0 {
		r.Target = fmt.Sprintf("≤ %.2f", target)
		r.Result = verdict(r.Ratio <= target)
	}
	b.rows = append(b.rows, r)
}

// addCPU adds a row comparing median CPU times: less noisy than wall
// times on a shared machine.
func (b *bench) addCPU(what string, ours, theirs []time.Duration) {
	om, tm := median(ours), median(theirs)
	b.rows = append(b.rows, row{What: what, Ours: fmtDur(om), Theirs: fmtDur(tm), Ratio: ratio(om, tm)})
}

// addRSS adds a peak-RSS row against the 40 MB target.
func (b *bench) addRSS(what string, ours, theirs int64) {
	const limit = 40e6
	b.rows = append(b.rows, row{What: what, Ours: fmtMB(ours), Theirs: fmtMB(theirs), Ratio: float64(ours) / float64(max(theirs, 1)),
		Target: "≤ 40 MB", Result: verdict(ours > 0 && ours <= limit)})
}

func (b *bench) linkName() string {
	return fmt.Sprintf("emulated %s RTT / %g Mbit/s", b.o.rtt, b.o.mbit)
}

// report writes the markdown report.
func (b *bench) report(w io.Writer) {
	fmt.Fprintf(w, "## Results — %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "Machine: %s. %s. %s. awk: %s.\n", machine(), sshVersion(), runtime.Version(), awkVersion())
	fmt.Fprintf(w, "Load average (1, 5, 15 min) at start: %s; at end: %s.\n\n", b.loadStart, b.loadEnd)
	fmt.Fprintf(w, "Logs (seeded, combined format): big %s, %d lines, %d 404s (%.1f%%); mid %s, %d lines; gzip -6 shrinks mid %.1f:1.\n",
		fmtMB(b.bigStats.Bytes), b.bigStats.Lines, b.bigStats.NotFound, 100*float64(b.bigStats.NotFound)/float64(b.bigStats.Lines),
		fmtMB(b.midStats.Bytes), b.midStats.Lines, b.gzipRatio)
	fmt.Fprintf(w, "Ciphers: %s.\n", strings.Join(b.ciphers, "; "))
	if !b.o.classic {
		b.reportMatrix(w)
		return
	}
	fmt.Fprintf(w, "Times: median of %d runs (min–max); ratio = ours / theirs, lower is better for us.\n\n", b.o.runs)
	fmt.Fprintln(w, "| measurement | weblogctl / ours | OpenSSH / awk | ratio | target | result |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range b.rows {
		ratio := ""
		if r.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.What, dash(r.Ours), dash(r.Theirs), dash(ratio), dash(r.Target), dash(r.Result))
	}
	if len(b.goRes) > 0 || len(b.goFail) > 0 {
		fmt.Fprintf(w, "\nGo benchmarks (`%s`):\n\n", strings.Join(goBenchCmd, " "))
		fmt.Fprintln(w, "| package | benchmark | result |")
		fmt.Fprintln(w, "|---|---|---|")
		for _, g := range b.goRes {
			fmt.Fprintf(w, "| %s | %s | %s |\n", strings.TrimPrefix(g.Pkg, "github.com/weblogctl/weblogctl/"), g.Name, strings.Join(g.Metrics, ", "))
		}
		for _, f := range b.goFail {
			fmt.Fprintf(w, "\nFailure: `%s`\n", f)
		}
	}
	fmt.Fprintf(w, "\nCommands (CFG: the generated ssh_config; BIG, MID: the logs; OUT: the output file):\n\n")
	for _, c := range b.cmds {
		c = strings.NewReplacer(b.cfg, "CFG", b.big, "BIG", b.mid, "MID", b.live, "LIVE").Replace(c)
		fmt.Fprintf(w, "    %s\n", c)
	}
	b.reportMatrix(w)
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func fmtMB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// machine describes the CPU and kernel.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimLeft(v, " \t:"))
				break
			}
		}
	}
	var u unix.Utsname
	kernel := "Linux"
	if unix.Uname(&u) == nil {
		kernel = "Linux " + unix.ByteSliceToString(u.Release[:])
	}
	return fmt.Sprintf("%d CPUs (nproc), %s, %s", runtime.NumCPU(), model, kernel)
}

func sshVersion() string {
	out, _ := exec.Command("ssh", "-V").CombinedOutput()
	return strings.TrimSpace(string(out))
}

func awkVersion() string {
	p, err := filepath.EvalSymlinks("/usr/bin/awk")
	if err != nil {
		return "unknown"
	}
	return filepath.Base(p)
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}
