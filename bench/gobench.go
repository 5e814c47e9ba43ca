package main

import (
	"bufio"
	"context"
	"strconv"
	"strings"
)

// goBenchCmd is how the Go benchmarks are run: every benchmark in the
// module, no tests, briefly, on one CPU (GOMAXPROCS=1), once.
var goBenchCmd = []string{"go", "test", "-run", "^$", "-bench", ".", "-benchtime", "200ms", "-cpu", "1", "-count", "1", "./..."}

// goBench is one benchmark result line.
type goBench struct {
	Pkg, Name string
	Metrics   []string // "123 ns/op", "456 MB/s", …
}

// metric returns the value of the metric with unit, e.g. "lines/s".
func (b goBench) metric(unit string) (float64, bool) {
	for _, m := range b.Metrics {
		if v, u, ok := strings.Cut(m, " "); ok && u == unit {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// runGoBench runs goBenchCmd in the module at root and returns the
// results, and the lines that report failures (packages that do not
// build while others edit the tree, failing benchmarks).
func runGoBench(ctx context.Context, root string) (results []goBench, failures []string, err error) {
	cmd := command(ctx, goBenchCmd[0], goBenchCmd[1:]...)
	cmd.Dir = root
	out, runErr := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	results, failures = parseGoBench(string(out))
	if runErr != nil && len(failures) == 0 {
		failures = append(failures, runErr.Error()+": "+firstLines(string(out), 5))
	}
	return results, failures, nil
}

// parseGoBench reads `go test -bench` output.
func parseGoBench(out string) (results []goBench, failures []string) {
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "Benchmark"):
			f := strings.Split(line, "\t")
			if len(f) < 3 { // a benchmark's own log line or a bare name
				continue
			}
			b := goBench{Pkg: pkg, Name: strings.TrimSpace(f[0])}
			for _, m := range f[2:] { // f[1] is the iteration count
				b.Metrics = append(b.Metrics, strings.Join(strings.Fields(m), " "))
			}
			results = append(results, b)
		case strings.HasPrefix(line, "FAIL"), strings.HasPrefix(line, "--- FAIL"),
			strings.HasPrefix(line, "# "), strings.Contains(line, "[build failed]"), strings.Contains(line, "[setup failed]"):
			failures = append(failures, line)
		}
	}
	return results, failures
}
