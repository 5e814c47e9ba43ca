package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/accesslog"
)

// cliNames renames protocol filter options whose names the command line
// needs for something else: --path is plain mode's file (DESIGN.md §1), so
// the request-path filter is --url there.
var cliNames = map[string]string{"path": "url", "not-path": "not-url"}

// flagName is the command-line name of filter option o.
func flagName(o accesslog.FilterOption) string {
	if n, ok := cliNames[o.Name]; ok {
		return n
	}
	return o.Name
}

// filterFlags are the filter options, shared by filter and follow; they
// mirror the protocol's (accesslog.FilterOptions).
func filterFlags() []cli.Flag {
	var flags []cli.Flag
	for _, o := range accesslog.FilterOptions() {
		if o.Bool {
			flags = append(flags, &cli.BoolFlag{Name: flagName(o), Usage: o.Usage, Category: "filters"})
			continue
		}
		flags = append(flags, &cli.StringSliceFlag{Name: flagName(o), Usage: o.Usage, Category: "filters"})
	}
	return flags
}

// filterSpec collects the filter flags given.
func filterSpec(c *cli.Context) (accesslog.FilterSpec, error) {
	var spec accesslog.FilterSpec
	for _, o := range accesslog.FilterOptions() {
		name := flagName(o)
		if !c.IsSet(name) {
			continue
		}
		values := c.StringSlice(name)
		if o.Bool {
			values = []string{fmt.Sprint(c.Bool(name))}
		}
		for _, v := range values {
			if err := spec.Set(o.Name, v); err != nil {
				return accesslog.FilterSpec{}, usageError{fmt.Errorf("%s: %w", c.Command.Name, err)}
			}
		}
	}
	return spec, nil
}

func filterCommand() *cli.Command {
	return &cli.Command{
		Name:      "filter",
		Usage:     "print the lines of a log that match, filtered on the server",
		ArgsUsage: "HOST [LOG]",
		Description: `Only matching lines cross the network. Filters combine with AND; a line
that does not parse as an access log matches only --grep/--not-grep.
Time ranges are [--since, --until).

Examples:
   weblogctl filter web1 --status 404 --since 2h
   weblogctl filter web1 access --status 5xx --format json | jq .path
   weblogctl filter web1 --has-referrer --status 200 --format referrers
   weblogctl filter web1 --since 2015-05-17T10:00:00Z --until 2015-05-17T11:00:00Z`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Usage: formatUsage},
			&cli.BoolFlag{Name: "history", Usage: "search the rotated files too, oldest first, then the live file"},
			pathFlag,
		}, filterFlags()...),
		Action: func(c *cli.Context) error {
			host, log, err := hostAndLog(c)
			if err != nil {
				return err
			}
			spec, err := filterSpec(c)
			if err != nil {
				return err
			}
			p, err := newPrinter(c.App.Writer, c.String("format"), "")
			if err != nil {
				return err
			}
			if c.IsSet("path") {
				if err := p.filterLocally(spec); err != nil {
					return err
				}
				return plainLines(c, p, false, 0)
			}
			wc, closeConn, err := connect(c, host)
			if err != nil {
				return err
			}
			defer closeConn()
			if log, err = defaultLog(c, wc, log); err != nil {
				return err
			}
			if c.Bool("history") {
				err = wc.FilterHistory(c.Context, log, spec, p.lines)
			} else {
				err = wc.Filter(c.Context, log, spec, p.lines)
			}
			if ferr := p.flush(); err == nil {
				err = ferr
			}
			return err
		},
	}
}
