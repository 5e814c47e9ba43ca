package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/tally"
)

// statsHelp is stats' --help, before the operand rules.
const statsHelp = `Counts the lines of a log that the filters select, grouped by the --by
keys, and prints one row per group: count, bytes (the sum of the response
sizes) and, when the log format records a duration ($request_time, %D,
%T), its p50/p90/p99 in milliseconds. weblog-server aggregates on the
host: only the table crosses the network. Counts and byte sums are exact;
percentiles are within 1% (a mergeable DDSketch).

Keys: status, class (2xx…5xx), method, path (without the query), url
(with it), referrer, referrer-host, ip, ip/24 (/48 for IPv6), ua, vhost,
minute, hour, day (UTC). Values are as logged, after the server's
redaction (a key with --redact ip only ever sees masked addresses).

Rows are sorted by --sort (count, bytes or p99) descending, then by count
descending, then by the values in byte order. With several hosts the
tables are merged exactly (as if the logs were one) before sorting, so
--top N is the true top N of the fleet; --per-host prints each host's
rows instead (--top N per host), with a host column. Lines that do not
parse are counted in an (unparsed) row. A table that reaches the group
cap (--max-groups, default 100000 per host) counts the rest in an
(overflow) row and says so on stderr: nothing is left out silently.

--format table (the default) aligns columns on a terminal and is
tab-separated otherwise, with a header line; json prints one object per
row, e.g. {"status":404,"count":213,"bytes":52188} (status, counts and
percentiles as JSON numbers; the (unparsed) and (overflow) rows have null keys and
"unparsed":true or "overflow":true); csv has a header line.

With --path (plain mode, nothing installed on the host) the whole file
crosses the network and is aggregated here the same way: same results,
no redaction, no --history.

Examples:
   weblogctl stats --by status web1
   weblogctl stats --by path --top 10 --status 404 --since 2h web1
   weblogctl stats --by status --format json web1 access | jq 'select(.status >= 500)'
   weblogctl stats --by ip/24 --sort bytes --top 20 --history web1
   weblogctl stats --by class,hour --per-host --log access 'web[01-20]'
   weblogctl stats --by path --path /var/log/nginx/access.log web1   # plain sshd

`

func statsCommand() *cli.Command {
	flags := append([]cli.Flag{
		&cli.StringFlag{Name: "by", Usage: "group by `KEY[,KEY…]` (see above)"},
		&cli.IntFlag{Name: "top", Usage: "print only the first `N` groups (after merging the hosts)", DefaultText: "all"},
		&cli.StringFlag{Name: "sort", Value: fleet.SortCount, Usage: "order rows by `ORDER`: count, bytes or p99, descending"},
		&cli.StringFlag{Name: "format", Usage: "output `FORMAT`: table, json or csv (default: table)"},
		&cli.BoolFlag{Name: "per-host", Usage: "print each host's rows, with a host column, instead of the totals"},
		&cli.BoolFlag{Name: "history", Usage: "count the rotated files too"},
		&cli.IntFlag{Name: "max-groups", Usage: fmt.Sprintf("ask each host for at most `N` groups (at most %d)", tally.MaxGroups), DefaultText: fmt.Sprint(tally.DefaultMaxGroups)},
		pathFlag(), logFormatFlag(), logFlag(),
	}, append(fleetFlags(false), filterFlags()...)...)
	return logCommand("stats", "count a log's lines by status, path, client … on the server (exact, merged across hosts)", statsHelp, flags, func(c *cli.Context, t targets) error {
		opt, req, err := statsRequest(c, t)
		if err != nil {
			return err
		}
		r, err := newRunner(c, t)
		if err != nil {
			return err
		}
		return r.Stats(c.Context, req, opt, c.App.Writer)
	})
}

// statsRequest reads stats' flags, every mistake a usage error before
// anything is dialled.
func statsRequest(c *cli.Context, t targets) (fleet.StatsOptions, client.Request, error) {
	fail := func(err error) (fleet.StatsOptions, client.Request, error) {
		return fleet.StatsOptions{}, client.Request{}, usageError{fmt.Errorf("stats: %w", err)}
	}
	keys, err := tally.ParseKeys(c.String("by"))
	if err != nil {
		return fail(fmt.Errorf("--by: %w", err))
	}
	opt := fleet.StatsOptions{
		Table:   client.StatsOptions{By: keys, MaxGroups: c.Int("max-groups")},
		PerHost: c.Bool("per-host"),
		Sort:    c.String("sort"),
		Top:     c.Int("top"),
		Format:  c.String("format"),
	}
	if c.IsSet("top") && opt.Top < 1 {
		return fail(fmt.Errorf("--top must be at least 1"))
	}
	if m := opt.Table.MaxGroups; c.IsSet("max-groups") && (m < 1 || m > tally.MaxGroups) {
		return fail(fmt.Errorf("--max-groups must be between 1 and %d", tally.MaxGroups))
	}
	req := client.Request{Log: t.Log, History: c.Bool("history")}
	if err := (client.SourceConfig{Path: c.String("path")}).CheckStats(req); err != nil {
		return fail(err)
	}
	if err := opt.Check(); err != nil {
		return fail(err)
	}
	if req.Filter, err = filterSpec(c); err != nil {
		return fleet.StatsOptions{}, client.Request{}, err
	}
	return opt, req, nil
}
