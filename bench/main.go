// Command bench measures weblogctl and weblog-server against what users
// already type — scp, ssh host cat | awk, ssh host tail -F — in one run
// on this machine, and prints the results as markdown tables of ratios
// (ours / theirs) next to the targets: issue 7's classic table, then one
// table per data profile of issue 14 (matrix.go: match rates, log
// shapes, both deployments, loopback, LAN and WAN). BENCHMARKS.md says
// what is measured and holds one run's tables.
//
// Run it from the repository root, as root, with OpenSSH's sshd, ssh and
// scp installed (about 4–6 minutes on 2 cores):
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
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
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
	lanRTT       time.Duration
	lanMbit      float64
	classic      bool          // the table of issue 7's targets
	profiles     []dataProfile // the profile matrix of issue 14
	deploy       []string      // deployments the matrix measures
	profileMB    int
	profileRuns  int
	rows         string // the matrix's rows: fetch, filter or both
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
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "stop everything after this long")
	flag.DurationVar(&o.serve, "serve", 0, "measure nothing: set up, print how to reach the servers, keep them up this long (for profiling)")
	flag.DurationVar(&o.lanRTT, "lan-rtt", time.Millisecond, "round-trip time of the emulated LAN")
	flag.Float64Var(&o.lanMbit, "lan-mbit", 1000, "bandwidth of the emulated LAN in Mbit/s, each direction")
	flag.BoolVar(&o.classic, "classic", true, "measure the classic table (issue 7's targets: 200 MB fetch and filter, follow, RSS, embedded server, Go benchmarks)")
	profiles := flag.String("profiles", defaultProfiles, "data profiles of the matrix, SHAPE-PERCENT404 (shapes: zipf, entropy, json); none to skip the matrix")
	deploy := flag.String("deploy", "forced,subsystem", "deployments the matrix measures: forced (command= in authorized_keys), subsystem (Subsystem in sshd_config)")
	flag.StringVar(&o.rows, "rows", "fetch,filter", "rows of the profile matrix: fetch, filter or both")
	flag.IntVar(&o.profileMB, "profile-mb", 200, "size of each profile's log in MB")
	flag.IntVar(&o.profileRuns, "profile-runs", 3, "timed runs per command in the profile matrix")
	flag.Parse()
	var err error
	if o.profiles, err = parseProfiles(*profiles); err != nil {
		fmt.Fprintf(os.Stderr, "bench: -profiles: %v\n", err)
		os.Exit(2)
	}
	if o.deploy, err = parseDeploy(*deploy); err != nil {
		fmt.Fprintf(os.Stderr, "bench: -deploy: %v\n", err)
		os.Exit(2)
	}
	if !o.classic { // the classic logs are still served, small
		o.bigMB, o.midMB = 1, 1
	}
	if flag.NArg() > 0 || o.runs < 1 || o.profileRuns < 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	err = run(ctx, o, os.Stdout)
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
	var steps []func(context.Context) error
	if o.classic {
		steps = append(steps, b.fetchLoopback, b.fetchEmbedded, b.fetchSlow, b.filterLoopback, b.filterSlow, b.statsLoopback, b.follow, b.embedded, b.goBenchmarks)
	}
	steps = append(steps, b.matrix)
	for _, step := range steps {
		if err := step(ctx); err != nil {
			if ctx.Err() != nil {
				// Stopped by -timeout or a signal: what was measured
				// is still worth a look, marked as incomplete.
				err = fmt.Errorf("interrupted: %w", context.Cause(ctx))
				b.loadEnd = loadAvg()
				fmt.Fprintf(out, "**Incomplete run: %v.**\n\n", err)
				b.report(out)
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

	sshd    *sshd
	proxy   *proxy // the emulated link of the targets
	longFat *proxy // same RTT, 10× the bandwidth: shows the per-channel window cap
	lan     *proxy // the emulated LAN

	subSSHD         *sshd  // the Subsystem deployment, if measured
	subSlow, subLAN *proxy // the emulated links to it
	plogs           []profileLog
	tables          []table // the matrix's, one per profile
	emb             *embedded
	embErr          error // why there is no embedded server
	hasFilt         bool
	ciphers         []string // "client → server: cipher" notes

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
	for _, p := range []*proxy{b.proxy, b.longFat, b.lan, b.subSlow, b.subLAN} {
		if p != nil {
			p.Close()
		}
	}
	if b.emb != nil {
		b.emb.Close()
	}
	for _, s := range []*sshd{b.sshd, b.subSSHD} {
		if s != nil {
			s.Close()
		}
	}
}
