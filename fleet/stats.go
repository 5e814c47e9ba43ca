package fleet

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/tally"
)

// StatsOptions say what Runner.Stats computes and how it prints it.
type StatsOptions struct {
	// Table holds the group keys (By, at least one) and the group cap
	// asked of each host.
	Table client.StatsOptions
	// PerHost prints each host's groups, hosts in the order given,
	// instead of the groups merged across hosts.
	PerHost bool
	// Sort orders the groups (see StatsOrder); "": by count.
	Sort string
	// Top keeps the first Top groups in that order (of the merged table,
	// or of each host's with PerHost); 0: all.
	Top int
	// Format is the output format (see StatsFormats); "": table.
	Format string
}

// The orders of StatsOptions.Sort.
const (
	SortCount = "count" // most records first
	SortBytes = "bytes" // most response bytes first
	SortP99   = "p99"   // slowest 99th percentile first; groups without durations last
)

// Check reports a mistake in o before any host is dialled.
func (o StatsOptions) Check() error {
	if len(o.Table.By) == 0 {
		return fmt.Errorf("--by: want at least one group key")
	}
	switch o.Sort {
	case "", SortCount, SortBytes, SortP99:
	default:
		return fmt.Errorf("--sort %q: want %s, %s or %s", o.Sort, SortCount, SortBytes, SortP99)
	}
	if o.Top < 0 {
		return fmt.Errorf("--top must be at least 1")
	}
	if _, err := newStatsWriter(io.Discard, o.Format, statsColumns{}, false); err != nil {
		return err
	}
	return nil
}

// Stats aggregates the lines req selects on every host (at most Jobs at
// once) and prints one table in opt.Format to w: the hosts' tables merged
// exactly (counts and byte sums add, duration sketches merge bin by
// bin), or with opt.PerHost each host's own rows. A host whose table hit
// its group cap is warned about on Stderr and its overflow is a row of
// its own, like the lines that did not parse; a host that fails is
// reported and left out of the totals.
func (r *Runner) Stats(ctx context.Context, req client.Request, opt StatsOptions, w io.Writer) error {
	if err := opt.Check(); err != nil {
		return err
	}
	tables := make([]*tally.Table, len(r.sources))
	r.run(ctx, r.cfg.Jobs, func(ctx context.Context, i int) (err error) {
		tables[i], err = r.sources[i].Stats(ctx, req, opt.Table)
		return err
	})
	if ctx.Err() != nil {
		return r.result(ctx) // interrupted: partial totals would mislead
	}
	var blocks []statsBlock
	for i, t := range tables {
		if t == nil {
			continue
		}
		if t.Truncated() {
			r.warnf(i, "the group cap (%d groups) was reached: %d lines are counted in the (overflow) row, not in their groups; narrow the filter, or raise --max-groups", t.MaxGroups(), t.Overflow.Count)
		}
		if opt.PerHost {
			blocks = append(blocks, statsBlock{host: r.cfg.Hosts[i], t: t})
		}
	}
	if !opt.PerHost {
		merged, err := mergeTables(tables, opt.Table.By)
		if err != nil {
			return err
		}
		if merged != nil {
			blocks = append(blocks, statsBlock{t: merged})
		}
	}
	if len(blocks) > 0 {
		if err := writeStats(w, blocks, opt, IsTerminal(w)); err != nil {
			r.outputFailed(outputError{err})
		}
	}
	return r.result(ctx)
}

// mergeTables merges the tables that are not nil into one whose cap is
// the largest a table takes, so that merging adds no overflow of its own
// below it; nil when every table is nil.
func mergeTables(tables []*tally.Table, by []tally.Key) (*tally.Table, error) {
	if t := one(tables); t != nil && slices.Equal(t.Keys(), by) {
		return t, nil // one host's table is the total as it is
	}
	var merged *tally.Table
	for _, t := range tables {
		if t == nil {
			continue
		}
		if merged == nil {
			merged = tally.New(by, tally.MaxGroups)
		}
		if err := merged.Merge(t); err != nil {
			return nil, err
		}
	}
	return merged, nil
}

// one returns the only table of tables that is not nil, or nil.
func one(tables []*tally.Table) *tally.Table {
	var only *tally.Table
	for _, t := range tables {
		if t != nil {
			if only != nil {
				return nil
			}
			only = t
		}
	}
	return only
}

// statsBlock is one table to print: a host's (host set) or the merge.
type statsBlock struct {
	host string
	t    *tally.Table
}

// statsRow is one printed row: a group, or the overflow or unparsed
// lines of a table (label "overflow" or "unparsed", no values).
type statsRow struct {
	host   string
	values []string
	label  string
	g      *tally.Group
}

// rows returns the rows of b: its groups in opt's order, the first
// opt.Top of them, then its overflow and unparsed rows when they count
// anything.
func (b statsBlock) rows(opt StatsOptions) []statsRow {
	groups := b.t.Groups()
	slices.SortStableFunc(groups, groupOrder(opt.Sort))
	if opt.Top > 0 && len(groups) > opt.Top {
		groups = groups[:opt.Top]
	}
	rows := make([]statsRow, 0, len(groups)+2)
	for _, g := range groups {
		rows = append(rows, statsRow{host: b.host, values: g.Values, g: g})
	}
	if b.t.Truncated() {
		rows = append(rows, statsRow{host: b.host, label: "overflow", g: &b.t.Overflow})
	}
	if b.t.Unparsed > 0 {
		rows = append(rows, statsRow{host: b.host, label: "unparsed", g: &tally.Group{Count: b.t.Unparsed}})
	}
	return rows
}

// groupOrder compares groups for sort: the sort's measure descending,
// then count descending, then the values ascending (byte-wise, key by
// key), so that the order is total and the same on every run.
func groupOrder(sort string) func(a, b *tally.Group) int {
	first := func(a, b *tally.Group) int { return 0 } // by count: the tie-break's first step
	switch sort {
	case SortBytes:
		first = func(a, b *tally.Group) int { return cmp.Compare(b.Bytes, a.Bytes) }
	case SortP99:
		first = func(a, b *tally.Group) int { return cmp.Compare(p99(b), p99(a)) }
	}
	return func(a, b *tally.Group) int {
		if c := first(a, b); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return slices.Compare(a.Values, b.Values)
	}
}

// p99 is g's 99th percentile duration, -1 when it has none.
func p99(g *tally.Group) float64 {
	if g.Durations == nil {
		return -1
	}
	return g.Durations.Quantile(0.99)
}
