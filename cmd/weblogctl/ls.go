package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
)

func lsCommand() *cli.Command {
	return &cli.Command{
		Name:      "ls",
		Usage:     "list the logs this key may read",
		ArgsUsage: "HOST",
		Description: `Prints NAME, SIZE (bytes) and last modification time of each log.

Example:
   weblogctl ls web1`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError{fmt.Errorf("ls: want HOST")}
			}
			wc, closeConn, err := connect(c, c.Args().First())
			if err != nil {
				return err
			}
			defer closeConn()
			logs, err := wc.List(c.Context)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
			for _, l := range logs {
				size := "-"
				if l.Size >= 0 {
					size = fmt.Sprint(l.Size)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Name, size, l.MTime)
			}
			return tw.Flush()
		},
	}
}
