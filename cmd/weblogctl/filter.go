package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
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
				return accesslog.FilterSpec{}, filterError(c.Command.Name, err)
			}
		}
	}
	// Compiled here too, so that a bad filter is a usage error before any
	// host is dialled (in plain mode no server checks it).
	if _, err := accesslog.Compile(spec, time.Now()); err != nil {
		return accesslog.FilterSpec{}, filterError(c.Command.Name, err)
	}
	return spec, nil
}

// filterError is the usage error for a bad filter option, named as the
// user typed it (--url, not the protocol's --path).
func filterError(command string, err error) error {
	var fe *accesslog.FilterError
	if !errors.As(err, &fe) || fe.Option == "" {
		return usageError{fmt.Errorf("%s: %w", command, err)}
	}
	return usageError{fmt.Errorf("%s --%s %q: %w", command, flagName(accesslog.FilterOption{Name: fe.Option}), fe.Value, fe.Err)}
}

// filterHelp is filter's --help, before the operand rules.
const filterHelp = `Only matching lines cross the network. Filters combine with AND; a line
that does not parse as an access log matches only --grep/--not-grep.
Time ranges are [--since, --until).

With several hosts, each line is labelled with its host; lines come in
the order they arrive, or with --merge time in timestamp order: an exact
merge of the hosts' lines (each host's in file order; a line without a
timestamp stays behind its host's previous line), which waits for the
slowest host and holds at most 256 KiB per host.

Examples:
   weblogctl filter --status 404 --since 2h web1
   weblogctl filter --status 5xx --format json web1 access | jq .path
   weblogctl filter --has-referrer --status 200 --format referrers web1
   weblogctl filter --since 2015-05-17T10:00:00Z --until 2015-05-17T11:00:00Z web1
   weblogctl filter --status 5xx --merge time --log access 'web[01-20]'

`

func filterCommand() *cli.Command {
	flags := append(lineFlags(), &cli.BoolFlag{Name: "history", Usage: "search the rotated files too, oldest first, then the live file"})
	return logCommand("filter", "print the lines of a log that match, filtered on the server", filterHelp, flags, func(c *cli.Context, t targets) error {
		return printLines(c, t, client.Request{History: c.Bool("history")}, fleet.LinesOptions{})
	})
}

// lineFlags are the options of the commands that print a log's lines.
func lineFlags() []cli.Flag {
	return append([]cli.Flag{&cli.StringFlag{Name: "format", Usage: formatUsage}, pathFlag(), logFormatFlag()},
		append(fleetFlags(true), filterFlags()...)...)
}

// printLines prints the lines of t's log that req and the filter flags
// select, for follow and filter.
func printLines(c *cli.Context, t targets, req client.Request, opt fleet.LinesOptions) error {
	var err error
	if req.Filter, err = filterSpec(c); err != nil {
		return err
	}
	req.Log = t.Log
	if opt.Merge, err = mergeByTime(c); err != nil {
		return err
	}
	r, err := newRunner(c, t)
	if err != nil {
		return err
	}
	fp, err := r.NewPrinter(c.App.Writer, c.String("format"))
	if err != nil {
		return usageError{err}
	}
	return r.Lines(c.Context, req, fp, opt)
}
