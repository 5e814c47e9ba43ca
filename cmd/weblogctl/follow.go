package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/wire"
)

func followCommand() *cli.Command {
	return &cli.Command{
		Name:      "follow",
		Usage:     "print a log's last lines, then new lines as they are written (like tail -F)",
		ArgsUsage: "HOST [LOG]",
		Description: `Follows LOG (default: the host's first log) across rotation until
interrupted.

Examples:
   weblogctl follow web1
   weblogctl follow -n 0 --format raw web1 access | grep ' 404 '`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "lines", Aliases: []string{"n"}, Value: 10, Usage: "start with the last `N` lines (0: only new ones)"},
			&cli.StringFlag{Name: "format", Value: "raw", Usage: "output `FORMAT`: raw (the exact bytes)"},
		},
		Action: func(c *cli.Context) error {
			host, log, err := hostAndLog(c)
			if err != nil {
				return err
			}
			if f := c.String("format"); f != "raw" {
				return usageError{fmt.Errorf("follow: unknown --format %q (want raw)", f)}
			}
			n := c.Int("lines")
			if n < 0 {
				return usageError{fmt.Errorf("follow: -n must not be negative")}
			}
			wc, closeConn, err := connect(c, host)
			if err != nil {
				return err
			}
			defer closeConn()
			if log, err = defaultLog(c, wc, log); err != nil {
				return err
			}
			out := c.App.Writer
			opt := client.FollowOptions{Lines: &n}
			if c.Bool("verbose") {
				opt.OnOpen = func(o wire.Open) {
					debugf(c, "following %q: file %q from byte %d (%q)", o.Log, o.ID, o.Offset, o.Reason)
				}
			}
			_, err = wc.Follow(c.Context, log, opt, func(lines []byte) error {
				_, err := out.Write(lines)
				return err
			})
			return err
		},
	}
}
