package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// fetchLoopback: weblogctl fetch vs scp of the big log on loopback, with
// the peak RSS of both ends; and fetch to stdout, which skips fetch -o's
// fsync, to show what the fsync costs.
func (b *bench) fetchLoopback(ctx context.Context) error {
	logf("fetch %d MB on loopback: weblogctl fetch vs scp", b.o.bigMB)
	out := filepath.Join(b.dir, "out")
	ours := b.ctlJob(ctx, out, "fetch", "-o", out, "wl", "access")
	ours.Check = fileSize(out, b.bigStats.Bytes)
	theirs := b.job("scp -F CFG plain:BIG OUT", out, "scp", "-F", b.cfg, "plain:"+b.big, out)
	theirs.Check = fileSize(out, b.bigStats.Bytes)

	// Around each run: sample the server process's peak RSS, and take
	// the CPU time sshd's finished children (the whole server side of
	// the connection) used.
	var srvPeak, sftpPeak int64
	var srvSeen int
	srvCPU := map[bool][]time.Duration{}
	sshdPid := b.sshd.cmd.Process.Pid
	around := func(isOurs bool) func() {
		exe := "/usr/lib/openssh/sftp-server"
		if isOurs {
			exe = b.srv
		}
		s := sampleHWM(exe)
		before := reapedCPU(sshdPid)
		return func() {
			peak, seen := s.Stop()
			if isOurs {
				srvPeak, srvSeen = max(srvPeak, peak), srvSeen+seen
			} else {
				sftpPeak = max(sftpPeak, peak)
			}
			srvCPU[isOurs] = append(srvCPU[isOurs], settledReapedCPU(sshdPid, before)-before)
		}
	}
	p, err := compare(ctx, ours, theirs, b.o.runs, true, around)
	if err != nil {
		return err
	}
	b.addRatio(fmt.Sprintf("fetch %d MB, loopback: `fetch -o` vs `scp`", b.o.bigMB), p, 1.0)
	b.cmds = append(b.cmds, ours.Show, theirs.Show)
	var ctlCPU, scpCPU []time.Duration
	for i := range p.Ours {
		ctlCPU, scpCPU = append(ctlCPU, p.Ours[i].CPU), append(scpCPU, p.Theirs[i].CPU)
	}
	b.addCPU("(info) CPU time, client: weblogctl vs scp + its ssh", ctlCPU, scpCPU)
	b.addCPU("(info) CPU time, server: sshd + weblog-server vs sshd + sftp-server", srvCPU[true], srvCPU[false])

	ctlPeak, scpPeak := int64(0), int64(0)
	for _, r := range p.Ours {
		ctlPeak = max(ctlPeak, r.MaxRSS)
	}
	for _, r := range p.Theirs {
		scpPeak = max(scpPeak, r.MaxRSS)
	}
	b.addRSS("peak RSS, client: weblogctl vs scp (+ its ssh)", ctlPeak, scpPeak)
	if srvSeen == 0 {
		b.rows = append(b.rows, row{What: "peak RSS, server: weblog-server vs sftp-server", Result: "not measured: no weblog-server process was seen under sshd"})
	} else {
		b.addRSS("peak RSS, server: weblog-server vs sftp-server", srvPeak, sftpPeak)
	}

	logf("fetch %d MB on loopback to stdout (no fsync) vs scp", b.o.bigMB)
	stdout := b.ctlJob(ctx, out, "fetch", "wl", "access")
	stdout.Show += " > OUT"
	stdout.Stdout = out
	stdout.Check = fileSize(out, b.bigStats.Bytes)
	if p, err = compare(ctx, stdout, theirs, b.o.runs, false, nil); err != nil {
		return err
	}
	b.addRatio(fmt.Sprintf("(info) fetch %d MB, loopback: `fetch > OUT` (no fsync) vs `scp`", b.o.bigMB), p, 0)
	b.cmds = append(b.cmds, stdout.Show)
	return nil
}

// fetchEmbedded: weblogctl fetch from the embedded server (x/crypto at
// both ends) vs scp from OpenSSH, for information.
func (b *bench) fetchEmbedded(ctx context.Context) error {
	what := fmt.Sprintf("(info) fetch %d MB, loopback: `fetch -o` from the embedded server vs `scp` from sshd", b.o.bigMB)
	if b.emb == nil {
		b.rows = append(b.rows, row{What: what, Result: "skipped: " + b.embErr.Error()})
		return nil
	}
	logf("fetch %d MB from the embedded server vs scp", b.o.bigMB)
	out := filepath.Join(b.dir, "out")
	ours := b.ctlJob(ctx, out, "fetch", "-o", out, "emb", "access")
	ours.Check = fileSize(out, b.bigStats.Bytes)
	theirs := b.job("scp -F CFG plain:BIG OUT", out, "scp", "-F", b.cfg, "plain:"+b.big, out)
	theirs.Check = fileSize(out, b.bigStats.Bytes)
	p, err := compare(ctx, ours, theirs, b.o.runs, false, nil)
	if err != nil {
		return err
	}
	b.addRatio(what, p, 0)
	b.cmds = append(b.cmds, ours.Show)
	return nil
}

// fetchSlow: fetch vs scp -C (and plain scp, for information) of the
// mid log over the emulated link; and fetch vs scp over a link as long
// but ten times faster, for information.
func (b *bench) fetchSlow(ctx context.Context) error {
	linkName := b.linkName()
	logf("fetch %d MB over %s: weblogctl fetch vs scp -C", b.o.midMB, linkName)
	out := filepath.Join(b.dir, "out")
	ours := b.ctlJob(ctx, out, "fetch", "-o", out, "wl-slow", "mid")
	ours.Check = fileSize(out, b.midStats.Bytes)
	theirs := b.job("scp -C -F CFG plain-slow:MID OUT", out, "scp", "-C", "-F", b.cfg, "plain-slow:"+b.mid, out)
	theirs.Check = fileSize(out, b.midStats.Bytes)
	p, err := compare(ctx, ours, theirs, b.o.runs, false, nil)
	if err != nil {
		return err
	}
	b.addRatio(fmt.Sprintf("fetch %d MB, %s: `fetch -o` vs `scp -C`", b.o.midMB, linkName), p, 0.67)
	b.cmds = append(b.cmds, ours.Show, theirs.Show)

	logf("scp (no -C) %d MB over %s, for information", b.o.midMB, linkName)
	plain := b.job("scp -F CFG plain-slow:MID OUT", out, "scp", "-F", b.cfg, "plain-slow:"+b.mid, out)
	plain.Check = fileSize(out, b.midStats.Bytes)
	runs, err := timeN(ctx, plain, b.o.runs)
	if err != nil {
		return err
	}
	b.addRatio(fmt.Sprintf("(info) fetch %d MB, %s: `fetch -o` vs `scp` (no -C)", b.o.midMB, linkName), pair{Ours: p.Ours, Theirs: runs}, 0)
	b.cmds = append(b.cmds, plain.Show)

	// At 10× the bandwidth the link no longer limits one SSH channel:
	// its flow-control window does (window / RTT).
	long := fmt.Sprintf("emulated %s RTT / %g Mbit/s", b.o.rtt, 10*b.o.mbit)
	logf("fetch %d MB over %s: weblogctl fetch vs scp", b.o.midMB, long)
	ours = b.ctlJob(ctx, out, "fetch", "-o", out, "wl-long", "mid")
	ours.Check = fileSize(out, b.midStats.Bytes)
	theirs = b.job("scp -F CFG plain-long:MID OUT", out, "scp", "-F", b.cfg, "plain-long:"+b.mid, out)
	theirs.Check = fileSize(out, b.midStats.Bytes)
	if p, err = compare(ctx, ours, theirs, b.o.runs, false, nil); err != nil {
		return err
	}
	b.addRatio(fmt.Sprintf("(info) fetch %d MB, %s: `fetch -o` vs `scp`", b.o.midMB, long), p, 0)
	return nil
}

// filterLoopback: weblogctl filter --status 404 vs ssh cat | awk.
func (b *bench) filterLoopback(ctx context.Context) error {
	return b.filter(ctx, "wl", "plain", "", fmt.Sprintf("filter 404s of %d MB, loopback: `filter` vs `ssh cat | awk`", b.o.bigMB), 0.5)
}

// filterSlow: the same over the emulated link, against ssh -C.
func (b *bench) filterSlow(ctx context.Context) error {
	return b.filter(ctx, "wl-slow", "plain-slow", "-C", fmt.Sprintf("filter 404s of %d MB, %s: `filter` vs `ssh -C cat | awk`", b.o.bigMB, b.linkName()), 0.2)
}

func (b *bench) filter(ctx context.Context, host, plainHost, sshOpt, what string, target float64) error {
	if !b.hasFilt {
		b.rows = append(b.rows, row{What: what, Target: fmt.Sprintf("≤ %.2f", target), Result: "skipped: weblogctl has no filter command yet"})
		return nil
	}
	logf("%s", what)
	out := filepath.Join(b.dir, "out")
	ours := b.ctlJob(ctx, out, "filter", "--status", "404", "--format", "raw", host, "access")
	ours.Show += " > OUT"
	ours.Stdout = out
	ours.Check = fileSize(out, b.bigStats.NFBytes)
	script := fmt.Sprintf(`set -o pipefail; ssh %s -F "$1" "$2" cat "$3" | awk '$9==404'`, sshOpt)
	theirs := b.job(strings.Join(strings.Fields(fmt.Sprintf("ssh %s -F CFG %s cat BIG | awk '$9==404' > OUT", sshOpt, plainHost)), " "),
		"", "bash", "-c", script, "bench", b.cfg, plainHost, b.big)
	theirs.Stdout, theirs.Clean = out, remove(out)
	theirs.Check = fileSize(out, b.bigStats.NFBytes)
	p, err := compare(ctx, ours, theirs, b.o.runs, sshOpt == "", nil)
	if err != nil {
		return err
	}
	b.addRatio(what, p, target)
	b.cmds = append(b.cmds, ours.Show, theirs.Show)
	return nil
}

// follow: latency from append to stdout, weblogctl follow vs ssh tail -F.
func (b *bench) follow(ctx context.Context) error {
	logf("follow latency: %d rounds × %d lines, %s apart", b.o.followRounds, b.o.followLines, b.o.followPace)
	oursArgs := []string{"-v", "-F", b.cfg, "follow", "-n", "0", "--format", "raw", "wl", "live"}
	theirsArgs := []string{"-F", b.cfg, "plain", "tail", "-F", "-n", "0", b.live}
	ours := func(ctx context.Context) *exec.Cmd { return command(ctx, b.ctl, oursArgs...) }
	theirs := func(ctx context.Context) *exec.Cmd { return command(ctx, "ssh", theirsArgs...) }
	var lo, lt latency
	for i := range b.o.followRounds { // alternate, one round at a time
		o, err := followLatency(ctx, b.live, ours, 1, b.o.followLines, b.o.followPace)
		if err != nil {
			return err
		}
		t, err := followLatency(ctx, b.live, theirs, 1, b.o.followLines, b.o.followPace)
		if err != nil {
			return err
		}
		logf("    round %d: ours p50 %s, tail p50 %s", i+1, fmtDur(percentile(o.Samples, 50)), fmtDur(percentile(t.Samples, 50)))
		lo.Samples, lo.Lost = append(lo.Samples, o.Samples...), lo.Lost+o.Lost
		lt.Samples, lt.Lost = append(lt.Samples, t.Samples...), lt.Lost+t.Lost
	}
	n := b.o.followRounds * b.o.followLines
	lost := func(l latency) string {
		if l.Lost == 0 {
			return ""
		}
		return fmt.Sprintf(", %d of %d lines lost", l.Lost, n)
	}
	o50, t50 := percentile(lo.Samples, 50), percentile(lt.Samples, 50)
	o99, t99 := percentile(lo.Samples, 99), percentile(lt.Samples, 99)
	limit50 := time.Duration(1.5*float64(t50)) + 2*time.Millisecond
	what := fmt.Sprintf("follow latency, append → stdout (%d lines): `follow` vs `ssh tail -F`", n)
	b.rows = append(b.rows,
		row{What: what + ", p50", Ours: fmtDur(o50) + lost(lo), Theirs: fmtDur(t50) + lost(lt), Ratio: ratio(o50, t50),
			Target: fmt.Sprintf("≤ 1.5 × tail + 2 ms = %s", fmtDur(limit50)), Result: verdict(o50 <= limit50 && lo.Lost == 0)},
		row{What: what + ", p99", Ours: fmtDur(o99), Theirs: fmtDur(t99), Ratio: ratio(o99, t99),
			Target: "≤ 50 ms", Result: verdict(o99 <= 50*time.Millisecond && lo.Lost == 0)})
	b.cmds = append(b.cmds, "weblogctl "+strings.Join(oursArgs, " "), "ssh "+strings.Join(theirsArgs, " "))
	return nil
}

// embedded: ssh host cat access with the OpenSSH client, served by the
// embedded server vs by OpenSSH sshd running weblog-server.
func (b *bench) embedded(ctx context.Context) error {
	what := fmt.Sprintf("`ssh host cat access` of %d MB, loopback: embedded server vs sshd + weblog-server", b.o.bigMB)
	if b.emb == nil {
		b.rows = append(b.rows, row{What: what, Target: "≤ 1.25", Result: "skipped: " + b.embErr.Error()})
		return nil
	}
	logf("%s", what)
	out := filepath.Join(b.dir, "out")
	ours := b.job("ssh -F CFG emb cat access > OUT", "", "ssh", "-F", b.cfg, "emb", "cat", "access")
	ours.Stdout, ours.Check, ours.Clean = out, fileSize(out, b.bigStats.Bytes), remove(out)
	theirs := b.job("ssh -F CFG wl cat access > OUT", "", "ssh", "-F", b.cfg, "wl", "cat", "access")
	theirs.Stdout, theirs.Check, theirs.Clean = out, fileSize(out, b.bigStats.Bytes), remove(out)
	p, err := compare(ctx, ours, theirs, b.o.runs, true, nil)
	if err != nil {
		return err
	}
	b.addRatio(what, p, 1.25)
	b.cmds = append(b.cmds, ours.Show, theirs.Show)
	return nil
}

// goBenchmarks runs the module's Go benchmarks and checks the parser's
// target.
func (b *bench) goBenchmarks(ctx context.Context) error {
	const what = "parser, combined lines/s on one core (BenchmarkParseCombined)"
	if !b.o.goBench {
		b.rows = append(b.rows, row{What: what, Target: "≥ 1M lines/s", Result: "skipped (-gobench=false)"})
		return nil
	}
	logf("go benchmarks: %s", strings.Join(goBenchCmd, " "))
	var err error
	if b.goRes, b.goFail, err = runGoBench(ctx, b.root); err != nil {
		return err
	}
	r := row{What: what, Target: "≥ 1M lines/s", Result: "not measured: no such benchmark result"}
	for _, g := range b.goRes {
		if strings.HasSuffix(g.Pkg, "/accesslog") && g.Name == "BenchmarkParseCombined" {
			if v, ok := g.metric("lines/s"); ok {
				r.Ours = fmt.Sprintf("%.2fM lines/s", v/1e6)
				r.Result = verdict(v >= 1e6)
			}
		}
	}
	b.rows = append(b.rows, r)
	b.cmds = append(b.cmds, strings.Join(goBenchCmd, " "))
	return nil
}

// job is a command with its displayed form; out, if not "", is removed
// before and after each run.
func (b *bench) job(show, out, name string, args ...string) job {
	j := job{Show: show, Cmd: func(ctx context.Context) *exec.Cmd { return command(ctx, name, args...) }}
	if out != "" {
		j.Clean = remove(out)
	}
	return j
}

// ctlJob is a weblogctl job, shown with CFG for the ssh_config.
func (b *bench) ctlJob(ctx context.Context, out string, args ...string) job {
	args = append([]string{"-F", b.cfg}, args...)
	show := "weblogctl " + strings.Join(args, " ")
	show = strings.ReplaceAll(show, b.cfg, "CFG")
	show = strings.ReplaceAll(show, out, "OUT")
	j := b.job(show, out, b.ctl, args...)
	j.Clean = remove(out)
	return j
}

// statsLoopback: weblogctl stats --by status,path vs ssh cat | awk doing
// the same count (issue 13: ≤ 0.3). Every run of ours is checked against
// awk's counts over the local file.
func (b *bench) statsLoopback(ctx context.Context) error {
	what := fmt.Sprintf("count by status and path of %d MB, loopback: `stats --by status,path` vs `ssh cat | awk`", b.o.bigMB)
	logf("%s", what)
	const count = `{p=$7; sub(/\?.*/, "", p); c[$9 "," p]++} END {for (k in c) print k "," c[k]}`
	ref := filepath.Join(b.dir, "stats-ref")
	refOut, err := exec.CommandContext(ctx, "awk", count, b.big).Output()
	if err != nil {
		return fmt.Errorf("stats: awk over the log: %w", err)
	}
	if err := os.WriteFile(ref, refOut, 0o600); err != nil {
		return err
	}
	out := filepath.Join(b.dir, "out")
	ours := b.ctlJob(ctx, out, "stats", "--by", "status,path", "--format", "csv", "wl", "access")
	ours.Show += " > OUT"
	ours.Stdout = out
	ours.Check = func() error { return sameCounts(out, ref) }
	script := `set -o pipefail; ssh -F "$1" "$2" cat "$3" | awk '` + count + `'`
	theirs := b.job("ssh -F CFG plain cat BIG | awk '"+count+"' > OUT", "", "bash", "-c", script, "bench", b.cfg, "plain", b.big)
	theirs.Stdout, theirs.Clean = out, remove(out)
	theirs.Check = fileSize(out, int64(len(refOut)))
	p, err := compare(ctx, ours, theirs, b.o.runs, true, nil)
	if err != nil {
		return err
	}
	b.addRatio(what, p, 0.3)
	b.cmds = append(b.cmds, ours.Show, theirs.Show)
	return nil
}

// sameCounts checks that the CSV of weblogctl stats --by status,path
// (header status,path,count,bytes…) and awk's "status,path,count" lines
// hold the same count for every group.
func sameCounts(oursPath, theirsPath string) error {
	read := func(path string, header bool, countField func(f []string) (key, n string)) (map[string]string, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if header && i == 0 || line == "" {
				continue
			}
			k, n := countField(strings.Split(line, ","))
			m[k] = n
		}
		return m, nil
	}
	ours, err := read(oursPath, true, func(f []string) (string, string) {
		return strings.Join(f[:len(f)-2], ","), f[len(f)-2] // …,count,bytes
	})
	if err != nil {
		return err
	}
	theirs, err := read(theirsPath, false, func(f []string) (string, string) {
		return strings.Join(f[:len(f)-1], ","), f[len(f)-1]
	})
	if err != nil {
		return err
	}
	if len(ours) != len(theirs) {
		return fmt.Errorf("%d groups, awk has %d", len(ours), len(theirs))
	}
	for k, n := range theirs {
		if ours[k] != n {
			return fmt.Errorf("group %q: %q, awk counts %s", k, ours[k], n)
		}
	}
	return nil
}
