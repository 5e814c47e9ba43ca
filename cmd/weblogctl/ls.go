package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/wire"
)

func lsCommand() *cli.Command {
	return &cli.Command{
		Name:      "ls",
		Usage:     "list the logs this key may read",
		ArgsUsage: "HOST…",
		Description: `Prints NAME, SIZE (bytes) and last modification time of each log. With
several hosts, each row starts with its HOST, in the order the hosts were
given.

Examples:
   weblogctl ls web1
   weblogctl ls 'web[01-30]' @db

` + hostsHelp,
		Flags: fleetFlags(false),
		Action: func(c *cli.Context) error {
			t, err := parseTargets(c, false)
			if err != nil {
				return err
			}
			if t.fleet {
				return lsFleet(c, t.hosts)
			}
			wc, closeConn, err := connect(c, t.hosts[0])
			if err != nil {
				return err
			}
			defer closeConn()
			logs, err := wc.List(c.Context)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
			printLogs(tw, "", logs)
			return tw.Flush()
		},
	}
}

// lsFleet lists the logs of every host, one table, hosts in the order
// given; a host that fails is reported and left out.
func lsFleet(c *cli.Context, hosts []string) error {
	r, err := newFleetRun(c, hosts)
	if err != nil {
		return err
	}
	listings := make([][]wire.LogInfo, len(hosts))
	r.run(c.Context, r.jobs, func(ctx context.Context, i int) error {
		wc, conn, err := r.connect(ctx, hosts[i])
		if err != nil {
			return err
		}
		defer conn.Close()
		listings[i], err = wc.List(ctx)
		return err
	})
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	for i, logs := range listings {
		printLogs(tw, hosts[i]+"\t", logs)
	}
	if err := tw.Flush(); err != nil {
		r.outputFailed(err)
	}
	return r.result(c.Context)
}

// printLogs writes a row per log, each starting with prefix; text from
// the server has its control characters replaced.
func printLogs(w io.Writer, prefix string, logs []wire.LogInfo) {
	for _, l := range logs {
		size := "-"
		if l.Size >= 0 {
			size = fmt.Sprint(l.Size)
		}
		fmt.Fprintf(w, "%s%s\t%s\t%s\n", prefix, wire.Sanitize(l.Name), size, wire.Sanitize(l.MTime))
	}
}
