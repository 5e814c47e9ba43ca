// Command bench measures weblogctl and weblog-server against what users
// already type — scp, ssh host cat | awk, ssh host tail -F — in one run
// on this machine, and prints the results as a markdown table of ratios
// (ours / theirs) next to the targets of issue 7. BENCHMARKS.md says what
// is measured and holds one run's table.
//
// Run it from the repository root (about 5–10 minutes, as root, with
// OpenSSH's sshd, ssh and scp installed):
//
//	bench/run > results.md        # or: go run ./bench
//
// It builds both binaries, generates deterministic combined-format logs,
// starts a private OpenSSH sshd on 127.0.0.1 (one key with weblog-server
// as its forced command, one plain key for scp, cat and tail -F), an
// emulated slow link (proxy.go) and, when the binary has it, the
// embedded server. Everything lives in a temporary directory and is
// removed, and every process it started is killed, when the run ends or
// is interrupted. Progress goes to stderr, the table to stdout.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"
)

// options are the command-line flags.
type options struct {
	runs         int
	bigMB, midMB int
	followLines  int
	followRounds int
	followPace   time.Duration
	rtt          time.Duration
	mbit         float64
	goBench      bool
	keep         bool
	seed         uint64
	timeout      time.Duration
	serve        time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.runs, "runs", 5, "timed runs per command (the median is reported)")
	flag.IntVar(&o.bigMB, "big-mb", 200, "size of the big log in MB (fetch, filter, RSS, embedded)")
	flag.IntVar(&o.midMB, "mid-mb", 64, "size of the log fetched over the emulated link, in MB")
	flag.IntVar(&o.followLines, "follow-lines", 200, "lines appended per follow round")
	flag.IntVar(&o.followRounds, "follow-rounds", 3, "follow rounds per tool (a fresh connection each)")
	flag.DurationVar(&o.followPace, "follow-pace", 20*time.Millisecond, "time between appended lines")
	flag.DurationVar(&o.rtt, "rtt", 50*time.Millisecond, "round-trip time of the emulated link")
	flag.Float64Var(&o.mbit, "mbit", 100, "bandwidth of the emulated link in Mbit/s, each direction")
	flag.BoolVar(&o.goBench, "gobench", true, "also run the module's Go benchmarks")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (logs, configs, sshd.log)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the generated logs")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "stop everything after this long")
	flag.DurationVar(&o.serve, "serve", 0, "measure nothing: set up, print how to reach the servers, keep them up this long (for profiling)")
	flag.Parse()
	if flag.NArg() > 0 || o.runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: error: %v\n", err)
		os.Exit(1)
	}
}

// run does one whole benchmark run and writes the report to out. It
// cleans up after itself however it returns.
func run(ctx context.Context, o options, out io.Writer) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if err := becomeSubreaper(); err != nil {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", err)
	}
	dir, err := os.MkdirTemp("", "weblogbench-")
	if err != nil {
		return err
	}
	b := &bench{o: o, root: root, dir: dir}
	defer func() {
		b.stop()
		killDescendants()
		if o.keep {
			logf("kept %s", dir)
		} else {
			os.RemoveAll(dir)
		}
	}()
	b.loadStart = loadAvg()
	if err := b.setup(ctx); err != nil {
		return err
	}
	if o.serve > 0 {
		return b.hold(ctx, o.serve)
	}
	for _, step := range []func(context.Context) error{
		b.fetchLoopback, b.fetchEmbedded, b.fetchSlow, b.filterLoopback, b.filterSlow, b.follow, b.embedded, b.goBenchmarks,
	} {
		if err := step(ctx); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted: %w", context.Cause(ctx))
			}
			return err
		}
	}
	b.loadEnd = loadAvg()
	b.report(out)
	return nil
}

// bench holds one run's setup and results.
type bench struct {
	o         options
	root, dir string
	ctl, srv  string // the built weblogctl and weblog-server
	cfg       string // ssh_config for ssh, scp and weblogctl -F
	big, mid  string // generated logs
	live      string // the log that follow watches
	bigStats  logStats
	midStats  logStats
	gzipRatio float64 // of the start of mid, at gzip's default level

	sshd     *sshd
	proxy    *proxy // the emulated link of the targets
	longFat  *proxy // same RTT, 10× the bandwidth: shows the per-channel window cap
	emb      *embedded
	embErr   error // why there is no embedded server
	hasFilt  bool
	ciphers  []string // "client → server: cipher" notes
	scpTimes []timing // scp's loopback runs, reused as the baseline for the embedded fetch

	rows      []row
	cmds      []string
	goRes     []goBench
	goFail    []string
	loadStart string
	loadEnd   string
}

// row is one line of the results table.
type row struct {
	What, Ours, Theirs string
	Ratio              float64 // ours / theirs; 0 if none
	Target, Result     string
}

// stop ends the servers the run started.
func (b *bench) stop() {
	for _, p := range []*proxy{b.proxy, b.longFat} {
		if p != nil {
			p.Close()
		}
	}
	if b.emb != nil {
		b.emb.Close()
	}
	if b.sshd != nil {
		b.sshd.Close()
	}
}

// setup builds, generates the logs and starts the servers.
func (b *bench) setup(ctx context.Context) error {
	bin := filepath.Join(b.dir, "bin")
	b.ctl, b.srv = filepath.Join(bin, "weblogctl"), filepath.Join(bin, "weblog-server")
	if err := b.build(ctx); err != nil {
		return err
	}

	logf("generating logs (seed %d)", b.o.seed)
	b.big, b.mid, b.live = filepath.Join(b.dir, "big.log"), filepath.Join(b.dir, "mid.log"), filepath.Join(b.dir, "live.log")
	var err error
	if b.bigStats, err = writeLog(b.big, int64(b.o.bigMB)*1e6, b.o.seed); err != nil {
		return err
	}
	if b.midStats, err = writeLog(b.mid, int64(b.o.midMB)*1e6, b.o.seed+1); err != nil {
		return err
	}
	if _, err = writeLog(b.live, 64<<10, b.o.seed+2); err != nil {
		return err
	}
	if b.gzipRatio, err = gzipRatio(b.mid, 16<<20); err != nil {
		return err
	}

	u, err := user.Current()
	if err != nil {
		return err
	}
	forcedKey, plainKey := filepath.Join(b.dir, "key_forced"), filepath.Join(b.dir, "key_plain")
	forcedPub, err := writeKey(forcedKey)
	if err != nil {
		return err
	}
	plainPub, err := writeKey(plainKey)
	if err != nil {
		return err
	}
	logs := []string{"access=" + b.big, "mid=" + b.mid, "live=" + b.live}
	forced := fmt.Sprintf(`restrict,command="%s --log %s" %s`, b.srv, strings.Join(logs, " --log "), authorizedKey(forcedPub))
	plain := authorizedKey(plainPub)
	if b.sshd, err = startSSHD(ctx, b.dir, u.Username, forced+"\n"+plain+"\n"); err != nil {
		return err
	}
	l := link{Delay: b.o.rtt / 2, Rate: b.o.mbit * 1e6 / 8}
	if b.proxy, err = startProxy(fmt.Sprintf("127.0.0.1:%d", b.sshd.Port), l); err != nil {
		return err
	}
	l.Rate *= 10
	if b.longFat, err = startProxy(fmt.Sprintf("127.0.0.1:%d", b.sshd.Port), l); err != nil {
		return err
	}
	known := knownHostsLine(b.sshd.Port, b.sshd.HostKey) + knownHostsLine(b.proxy.Addr().Port, b.sshd.HostKey) +
		knownHostsLine(b.longFat.Addr().Port, b.sshd.HostKey)
	hosts := []hostAlias{
		{"wl", b.sshd.Port, forcedKey}, {"wl-slow", b.proxy.Addr().Port, forcedKey}, {"wl-long", b.longFat.Addr().Port, forcedKey},
		{"plain", b.sshd.Port, plainKey}, {"plain-slow", b.proxy.Addr().Port, plainKey}, {"plain-long", b.longFat.Addr().Port, plainKey},
	}
	if b.probe(ctx, b.srv, "listen", "--authorized-keys") {
		b.emb, b.embErr = startEmbedded(ctx, b.dir, b.srv, "restrict "+authorizedKey(forcedPub)+"\n", []string{"access=" + b.big})
		if b.emb != nil {
			known += knownHostsLine(b.emb.Port, b.emb.HostKey)
			hosts = append(hosts, hostAlias{"emb", b.emb.Port, forcedKey})
		}
	} else {
		b.embErr = errors.New("weblog-server has no listen command yet")
	}
	b.hasFilt = b.probe(ctx, b.ctl, "filter", "--status")
	knownHosts := filepath.Join(b.dir, "known_hosts")
	if err := os.WriteFile(knownHosts, []byte(known), 0o600); err != nil {
		return err
	}
	b.cfg = filepath.Join(b.dir, "ssh_config")
	if err := writeSSHConfig(b.cfg, u.Username, knownHosts, hosts); err != nil {
		return err
	}
	return b.checkAccess(ctx)
}

// hold keeps the setup up for d (or until interrupted) for a person to
// try commands by hand.
func (b *bench) hold(ctx context.Context, d time.Duration) error {
	logf("up for %s (Ctrl-C ends it); in %s:", d, b.dir)
	logf("  %s -F %s fetch -o /tmp/x wl-slow mid      # weblogctl through the emulated link", b.ctl, b.cfg)
	logf("  scp -F %s plain-slow:%s /tmp/x              # scp through it", b.cfg, b.mid)
	logf("  ssh -F %s plain cat %s | wc -c              # plain key, loopback", b.cfg, b.big)
	logf("  hosts: wl, wl-slow (forced command: logs access, mid, live); plain, plain-slow (plain key)%s", map[bool]string{true: "; emb (embedded server)"}[b.emb != nil])
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	return nil
}

// build builds both binaries, retrying for a while: other engineers
// edit the tree while this runs, and a package may briefly not compile.
func (b *bench) build(ctx context.Context) error {
	const attempts, wait = 5, 30 * time.Second
	for i := 1; ; i++ {
		logf("building weblogctl and weblog-server")
		cmd := command(ctx, "go", "build", "-o", filepath.Dir(b.ctl)+"/", "./cmd/weblogctl", "./cmd/weblog-server")
		cmd.Dir = b.root
		out, err := cmd.CombinedOutput()
		if err == nil {
			return nil
		}
		if i == attempts || ctx.Err() != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
		logf("build failed, retrying in %s: %s", wait, firstLines(string(out), 3))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// probe reports whether `bin sub --help` succeeds and mentions flag: the
// features that are still being written are measured once they land.
func (b *bench) probe(ctx context.Context, bin, sub, flag string) bool {
	out, err := command(ctx, bin, sub, "--help").CombinedOutput()
	return err == nil && bytes.Contains(out, []byte(flag))
}

// checkAccess makes sure every path works before timing anything, and
// notes the ciphers the OpenSSH client negotiates (weblogctl uses
// x/crypto's default order, AES-GCM first, which sshd accepts).
func (b *bench) checkAccess(ctx context.Context) error {
	for _, c := range [][]string{
		{b.ctl, "-F", b.cfg, "ls", "wl"},
		{b.ctl, "-F", b.cfg, "ls", "wl-slow"},
		{"ssh", "-F", b.cfg, "plain", "true"},
		{"ssh", "-F", b.cfg, "plain-slow", "true"},
	} {
		if out, err := command(ctx, c[0], c[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s (sshd log: %s)", strings.Join(c, " "), err, firstLines(string(out), 3), filepath.Join(b.dir, "sshd.log"))
		}
	}
	b.ciphers = append(b.ciphers, "OpenSSH ssh/scp → OpenSSH sshd: "+b.sshCipher(ctx, "plain", "true"))
	if b.emb != nil {
		b.ciphers = append(b.ciphers, "OpenSSH ssh → embedded server (x/crypto): "+b.sshCipher(ctx, "emb", "version"))
	}
	return nil
}

// sshCipher is the server→client cipher that `ssh -v host command`
// negotiates.
func (b *bench) sshCipher(ctx context.Context, host, remote string) string {
	out, _ := command(ctx, "ssh", "-v", "-F", b.cfg, host, remote).CombinedOutput()
	if m := kexCipher.FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "unknown"
}

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

	var srvPeak, sftpPeak int64
	var srvSeen int
	around := func(isOurs bool) func() {
		exe := "/usr/lib/openssh/sftp-server"
		if isOurs {
			exe = b.srv
		}
		s := sampleHWM(exe)
		return func() {
			peak, seen := s.Stop()
			if isOurs {
				srvPeak, srvSeen = max(srvPeak, peak), srvSeen+seen
			} else {
				sftpPeak = max(sftpPeak, peak)
			}
		}
	}
	p, err := compare(ctx, ours, theirs, b.o.runs, true, around)
	if err != nil {
		return err
	}
	b.scpTimes = p.Theirs
	b.addRatio(fmt.Sprintf("fetch %d MB, loopback: `fetch -o` vs `scp`", b.o.bigMB), p, 1.0)
	b.cmds = append(b.cmds, ours.Show, theirs.Show)

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

// authorizedKey is k as in authorized_keys: "TYPE BASE64".
func authorizedKey(k ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

// gzipRatio compresses up to n bytes of the file at path at gzip's
// default level (as ssh -C and scp -C do) and returns in/out.
func gzipRatio(path string, n int64) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var cw countWriter
	zw := gzip.NewWriter(&cw)
	in, err := io.Copy(zw, io.LimitReader(f, n))
	if err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return float64(in) / float64(cw), nil
}

// countWriter counts and discards what is written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// moduleRoot finds the directory of this module's go.mod, from the
// working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/weblogctl/weblogctl\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the weblogctl repository (no go.mod for github.com/weblogctl/weblogctl found)")
		}
		dir = parent
	}
}

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
