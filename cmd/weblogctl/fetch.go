package main

import (
	"bufio"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
)

func fetchCommand() *cli.Command {
	return &cli.Command{
		Name:      "fetch",
		Usage:     "copy a log byte for byte (verified with SHA-256)",
		ArgsUsage: "HOST [LOG]",
		Description: `Copies LOG (default: the host's first log) to stdout or, with -o, to FILE:
written to .FILE.part beside it and renamed only once verified (SHA-256).
An interrupted fetch -o resumes where it stopped when run again, after the
server confirms that the part already copied is unchanged.

Examples:
   weblogctl fetch web1 > access.log
   weblogctl fetch -o access.log web1 access
   weblogctl fetch --history web1 > all.log        # access.log.N.gz … .1, then access.log
   weblogctl fetch --path /var/log/nginx/access.log web1 > copy.log   # plain sshd, nothing installed`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` instead of stdout"},
			&cli.BoolFlag{Name: "history", Usage: "the whole history: rotated files oldest first (decompressed), then the live file"},
			pathFlag,
		},
		Action: func(c *cli.Context) error {
			if c.IsSet("path") {
				return plainFetch(c)
			}
			host, log, err := hostAndLog(c)
			if err != nil {
				return err
			}
			wc, closeConn, err := connect(c, host)
			if err != nil {
				return err
			}
			defer closeConn()
			if log, err = defaultLog(c, wc, log); err != nil {
				return err
			}
			out, history := c.String("output"), c.Bool("history")
			switch {
			case out != "" && history:
				return wc.FetchHistoryFile(c.Context, log, out)
			case out != "":
				_, err = wc.FetchFile(c.Context, log, out)
				return err
			}
			w := bufio.NewWriterSize(c.App.Writer, 256<<10)
			if history {
				err = wc.FetchHistory(c.Context, log, w)
			} else {
				_, err = wc.Cat(c.Context, log, client.CatOptions{}, w)
			}
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			return err
		},
	}
}
