package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// job is one command whose run time is measured.
type job struct {
	// Show is the command as a person would type it, for the report.
	Show string
	// Cmd builds the command for one run.
	Cmd func(ctx context.Context) *exec.Cmd
	// Stdout, if not "", is a file that receives the command's stdout.
	Stdout string
	// Check, if not nil, verifies a run's result (e.g. the output size).
	Check func() error
	// Clean, if not nil, removes a run's output before the next run.
	Clean func()
}

// timing is one finished run of a job.
type timing struct {
	Wall   time.Duration
	MaxRSS int64         // the command's peak RSS (wait4), bytes
	CPU    time.Duration // user + system CPU time of the command and the children it waited for
}

// timeOnce runs j once and times it from start to exit.
func timeOnce(ctx context.Context, j job) (timing, error) {
	if j.Clean != nil {
		j.Clean()
		defer j.Clean()
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := j.Cmd(ctx)
	if j.Stdout != "" {
		f, err := os.Create(j.Stdout)
		if err != nil {
			return timing{}, err
		}
		defer f.Close()
		cmd.Stdout = f
	}
	var stderr strings.Builder
	if cmd.Stderr == nil {
		cmd.Stderr = &stderr
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return timing{}, ctx.Err()
		}
		return timing{}, fmt.Errorf("%s: %v: %s", j.Show, err, firstLines(stderr.String(), 3))
	}
	if j.Check != nil {
		if err := j.Check(); err != nil {
			return timing{}, fmt.Errorf("%s: %w", j.Show, err)
		}
	}
	ps := cmd.ProcessState
	return timing{Wall: wall, MaxRSS: maxRSS(ps), CPU: ps.UserTime() + ps.SystemTime()}, nil
}

// pair is the result of timing two jobs against each other.
type pair struct {
	Ours, Theirs []timing
}

// compare runs ours and theirs alternately, n times each, after one
// untimed warm-up each if warm is set. Alternating spreads the machine's
// background noise over both. around, if not nil, is called before each
// timed run (ours tells whose) and the function it returns after it.
func compare(ctx context.Context, ours, theirs job, n int, warm bool, around func(ours bool) func()) (pair, error) {
	var p pair
	if warm {
		for _, j := range []job{ours, theirs} {
			if _, err := timeOnce(ctx, j); err != nil {
				return p, err
			}
		}
	}
	timed := func(j job, isOurs bool) (timing, error) {
		if around != nil {
			defer around(isOurs)()
		}
		return timeOnce(ctx, j)
	}
	for range n {
		r, err := timed(ours, true)
		if err != nil {
			return p, err
		}
		p.Ours = append(p.Ours, r)
		logf("    %-7s %s", "ours", fmtDur(r.Wall))
		if r, err = timed(theirs, false); err != nil {
			return p, err
		}
		p.Theirs = append(p.Theirs, r)
		logf("    %-7s %s", "theirs", fmtDur(r.Wall))
	}
	return p, nil
}

// timeN runs j n times and returns the runs.
func timeN(ctx context.Context, j job, n int) ([]timing, error) {
	var rs []timing
	for range n {
		r, err := timeOnce(ctx, j)
		if err != nil {
			return rs, err
		}
		rs = append(rs, r)
		logf("    %-7s %s", "run", fmtDur(r.Wall))
	}
	return rs, nil
}

// walls are the wall times of runs.
func walls(rs []timing) []time.Duration {
	var d []time.Duration
	for _, r := range rs {
		d = append(d, r.Wall)
	}
	return d
}

// median of d (the mean of the middle two for an even count).
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile of d by nearest rank, p in (0, 100].
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// fileSize is a Check that the file at path has size bytes.
func fileSize(path string, size int64) func() error {
	return func() error {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if fi.Size() != size {
			return fmt.Errorf("%s has %d bytes, want %d", path, fi.Size(), size)
		}
		return nil
	}
}

// remove is a Clean that deletes path.
func remove(path string) func() { return func() { os.Remove(path) } }

// fmtDur formats a duration for the table: seconds with 2 decimals, or
// milliseconds below one second.
func fmtDur(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// fmtRuns formats the median of runs with their range.
func fmtRuns(rs []timing) string {
	d := walls(rs)
	if len(d) == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%s–%s)", fmtDur(median(d)), fmtDur(slices.Min(d)), fmtDur(slices.Max(d)))
}

// firstLines returns up to n lines of s, trimmed, joined by " / ".
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], " / ")
}

// logf prints progress on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
