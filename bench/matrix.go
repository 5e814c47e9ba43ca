package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// defaultProfiles is the matrix of issue 14: the filter's match rate on a
// real-like log, the high-entropy shape at three rates, nginx JSON lines.
const defaultProfiles = "zipf-0.1,zipf-2,zipf-15,zipf-50,entropy-2,entropy-15,entropy-50,json-2"

// Deployments of weblog-server under OpenSSH.
const (
	deployForced    = "forced"    // command="weblog-server …" in authorized_keys
	deploySubsystem = "subsystem" // Subsystem weblog weblog-server … in sshd_config
)

func parseDeploy(s string) ([]string, error) {
	var out []string
	for _, d := range strings.Split(s, ",") {
		d = strings.TrimSpace(d)
		if d != deployForced && d != deploySubsystem {
			return nil, fmt.Errorf("unknown deployment %q (want forced or subsystem)", d)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// deploys reports whether the matrix measures deployment d.
func (b *bench) deploys(d string) bool {
	return len(b.o.profiles) > 0 && slices.Contains(b.o.deploy, d)
}

// profileLog is one profile's generated log.
type profileLog struct {
	p     dataProfile
	path  string
	st    logStats
	gzip1 float64 // gzip -1 ratio of its first 16 MB
}

// table is the matrix's table of one profile.
type table struct {
	pl   profileLog
	rows []mrow
}

// mrow is one row of a profile's table.
type mrow struct {
	What, Deploy, Ours, Theirs string
	Ratio                      float64
	Target, Result             string
	CPUClient, CPUServer, Wire string
}

// side is where one command of a comparison is served from: the sshd
// whose reaped children's CPU time is the server side, and the emulated
// link it crosses (nil on loopback), whose bytes towards the client are
// counted.
type side struct {
	sshd *sshd
	link *proxy
}

// sideStats are the per-run measurements of one side.
type sideStats struct {
	srvCPU []time.Duration
	wire   []int64
}

// compareSides is compare with the server's CPU time and the bytes on the
// wire of every run.
func compareSides(ctx context.Context, ours, theirs job, n int, warm bool, oursAt, theirsAt side) (pair, [2]sideStats, error) {
	var st [2]sideStats
	around := func(isOurs bool) func() {
		s, i := theirsAt, 1
		if isOurs {
			s, i = oursAt, 0
		}
		pid := s.sshd.cmd.Process.Pid
		before := reapedCPU(pid)
		var w0 int64
		if s.link != nil {
			w0 = s.link.Down()
		}
		return func() {
			st[i].srvCPU = append(st[i].srvCPU, settledReapedCPU(pid, before)-before)
			if s.link != nil {
				st[i].wire = append(st[i].wire, s.link.Down()-w0)
			}
		}
	}
	p, err := compare(ctx, ours, theirs, n, warm, around)
	return p, st, err
}

// deployHost is the host alias prefix of a deployment.
func deployHost(d string) string {
	if d == deploySubsystem {
		return "ws"
	}
	return "wl"
}

// matrix measures every profile in every deployment: fetch (once per
// shape: it does not depend on the match rate) on loopback and the LAN,
// and filter on loopback and, up to 15% matches, the WAN: the rows with
// the targets of issue 14 (fetch over the WAN is the classic table's).
func (b *bench) matrix(ctx context.Context) error {
	fetched := map[string]bool{}
	for _, pl := range b.plogs {
		t := table{pl: pl}
		for _, d := range b.o.deploy {
			var err error
			if strings.Contains(b.o.rows, "fetch") && !fetched[pl.p.Shape+d] {
				fetched[pl.p.Shape+d] = true
				err = b.matrixFetch(ctx, &t, d)
			}
			if err == nil && strings.Contains(b.o.rows, "filter") {
				err = b.matrixFilter(ctx, &t, d)
			}
			if err != nil {
				return err
			}
		}
		b.tables = append(b.tables, t)
	}
	return nil
}

// sides returns the sides of deployment d: loopback, LAN, WAN.
func (b *bench) sides(d string) (loop, lan, wan side) {
	if d == deploySubsystem {
		return side{b.subSSHD, nil}, side{b.subSSHD, b.subLAN}, side{b.subSSHD, b.subSlow}
	}
	return side{b.sshd, nil}, side{b.sshd, b.lan}, side{b.sshd, b.proxy}
}

func (b *bench) lanName() string {
	return fmt.Sprintf("LAN %s / %g Mbit/s", b.o.lanRTT, b.o.lanMbit)
}

func (b *bench) wanName() string {
	return fmt.Sprintf("WAN %s / %g Mbit/s", b.o.rtt, b.o.mbit)
}

func (b *bench) matrixFetch(ctx context.Context, t *table, d string) error {
	name, path, size := t.pl.p.Name(), t.pl.path, t.pl.st.Bytes
	h := deployHost(d)
	loop, lan, _ := b.sides(d)
	plain := side{b.sshd, nil}
	out := filepath.Join(b.dir, "out")
	scp := func(host string, opts ...string) job {
		args := append(append([]string{}, opts...), "-F", b.cfg, host+":"+path, out)
		j := b.job(strings.Join(append([]string{"scp"}, args...), " "), out, "scp", args...)
		j.Check = fileSize(out, size)
		return j
	}
	fetchO := func(host string) job {
		j := b.ctlJob(ctx, out, "fetch", "-o", out, host, name)
		j.Check = fileSize(out, size)
		return j
	}
	lanTarget := 0.5
	if t.pl.p.Shape == shapeEntropy {
		lanTarget = 1.0
	}
	stdout := b.ctlJob(ctx, out, "fetch", h, name)
	stdout.Show += " > OUT"
	stdout.Stdout, stdout.Check = out, fileSize(out, size)
	cat := b.job("ssh -c aes128-gcm@openssh.com -F CFG plain cat LOG > OUT", "", "ssh", "-c", "aes128-gcm@openssh.com", "-F", b.cfg, "plain", "cat", path)
	cat.Stdout, cat.Check, cat.Clean = out, fileSize(out, size), remove(out)
	for _, c := range []struct {
		what             string
		ours, theirs     job
		oursAt, theirsAt side
		target           float64
		warm             bool
	}{
		{"fetch -o, loopback, vs scp", fetchO(h), scp("plain"), loop, plain, 0.9, true},
		{"fetch > OUT, loopback, vs ssh -c aes128-gcm cat", stdout, cat, loop, plain, 1.2, false},
		{"fetch -o, " + b.lanName() + ", vs scp", fetchO(h + "-lan"), scp("plain-lan"), lan, side{b.sshd, b.lan}, lanTarget, false},
	} {
		if err := b.matrixRow(ctx, t, d, c.what, c.ours, c.theirs, c.oursAt, c.theirsAt, c.target, c.warm); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) matrixFilter(ctx context.Context, t *table, d string) error {
	if !b.hasFilt {
		return nil
	}
	name, path := t.pl.p.Name(), t.pl.path
	h := deployHost(d)
	loop, _, wan := b.sides(d)
	out := filepath.Join(b.dir, "out")
	ours := func(host string) job {
		j := b.ctlJob(ctx, out, "filter", "--status", "404", "--format", "raw", host, name)
		j.Show += " > OUT"
		j.Stdout, j.Check = out, fileSize(out, t.pl.st.NFBytes)
		return j
	}
	awk := t.pl.p.awkMatch()
	theirs := func(host, sshOpt string) job {
		script := fmt.Sprintf(`set -o pipefail; ssh %s -F "$1" "$2" cat "$3" | awk '%s'`, sshOpt, awk)
		j := b.job(strings.Join(strings.Fields(fmt.Sprintf("ssh %s -F CFG %s cat LOG | awk '%s' > OUT", sshOpt, host, awk)), " "),
			"", "bash", "-c", script, "bench", b.cfg, host, path)
		j.Stdout, j.Clean, j.Check = out, remove(out), fileSize(out, t.pl.st.NFBytes)
		return j
	}
	loopTarget := 0.5
	if t.pl.p.NotFound > 0.15 {
		loopTarget = 0.8
	}
	if err := b.matrixRow(ctx, t, d, "filter --status 404, loopback, vs ssh cat | awk", ours(h), theirs("plain", ""), loop, side{b.sshd, nil}, loopTarget, true); err != nil {
		return err
	}
	if t.pl.p.NotFound > 0.15 {
		return nil // no target over the WAN; ssh -C | awk of the whole log takes long
	}
	return b.matrixRow(ctx, t, d, "filter --status 404, "+b.wanName()+", vs ssh -C cat | awk", ours(h+"-slow"), theirs("plain-slow", "-C"), wan, side{b.sshd, b.proxy}, 0.2, false)
}

// matrixRow measures ours against theirs and adds the row to t.
func (b *bench) matrixRow(ctx context.Context, t *table, d, what string, ours, theirs job, oursAt, theirsAt side, target float64, warm bool) error {
	logf("%s [%s, %s]", what, t.pl.p.Name(), d)
	p, st, err := compareSides(ctx, ours, theirs, b.o.profileRuns, warm, oursAt, theirsAt)
	if err != nil {
		return err
	}
	om, tm := median(walls(p.Ours)), median(walls(p.Theirs))
	r := mrow{What: what, Deploy: d, Ours: fmtRuns(p.Ours), Theirs: fmtRuns(p.Theirs), Ratio: ratio(om, tm)}
	if target > 0 {
		r.Target = fmt.Sprintf("≤ %.2f", target)
		r.Result = verdict(r.Ratio <= target)
	}
	cpu := func(rs []timing) time.Duration {
		var d []time.Duration
		for _, r := range rs {
			d = append(d, r.CPU)
		}
		return median(d)
	}
	r.CPUClient = fmtDur(cpu(p.Ours)) + " / " + fmtDur(cpu(p.Theirs))
	r.CPUServer = fmtDur(median(st[0].srvCPU)) + " / " + fmtDur(median(st[1].srvCPU))
	if len(st[0].wire) > 0 && len(st[1].wire) > 0 {
		r.Wire = fmtMB(medianInt(st[0].wire)) + " / " + fmtMB(medianInt(st[1].wire))
	}
	t.rows = append(t.rows, r)
	return nil
}

func medianInt(v []int64) int64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// reportMatrix writes one table per profile.
func (b *bench) reportMatrix(w io.Writer) {
	if len(b.tables) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Profiles\n\n")
	fmt.Fprintf(w, "Each profile's log is %d MB; times are the median of %d runs (min–max), alternating; "+
		"ratio = ours / theirs. CPU: user+sys of the client command (wait4; for ssh | awk both) and of the server side "+
		"(sshd's reaped children for that connection: sshd + weblog-server, or sshd + sftp-server / cat). "+
		"Wire: bytes the emulated link carried towards the client. Fetch rows are measured on the first profile of each shape "+
		"(fetch over the WAN is in the table above); filter over the WAN only up to 15%% matches (the targets'). "+
		"Deployments: forced = `command=` in authorized_keys, no Subsystem line (weblogctl's subsystem request is refused, it falls back to exec); "+
		"subsystem = `Subsystem weblog …` in sshd_config, a key without a command. Baselines always run against the same sshd with a plain key.\n",
		b.o.profileMB, b.o.profileRuns)
	for _, t := range b.tables {
		st := t.pl.st
		fmt.Fprintf(w, "\n### %s: %s, %d lines, %.2f%% 404s (%s of them), gzip -1 %.1f:1\n\n", t.pl.p.Name(), fmtMB(st.Bytes), st.Lines,
			100*float64(st.NotFound)/float64(max(st.Lines, 1)), fmtMB(st.NFBytes), t.pl.gzip1)
		fmt.Fprintln(w, "| measurement | deploy | weblogctl | OpenSSH / awk | ratio | target | result | CPU client (ours / theirs) | CPU server (ours / theirs) | wire (ours / theirs) |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
		for _, r := range t.rows {
			ratio := ""
			if r.Ratio > 0 {
				ratio = fmt.Sprintf("%.2f", r.Ratio)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", strings.ReplaceAll(r.What, "|", `\|`), r.Deploy, dash(r.Ours), dash(r.Theirs),
				dash(ratio), dash(r.Target), dash(r.Result), dash(r.CPUClient), dash(r.CPUServer), dash(r.Wire))
		}
	}
}
