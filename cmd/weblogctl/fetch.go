package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
)

// fetchHelp is fetch's --help, before the operand rules.
const fetchHelp = `Copies LOG (default: the host's first log) to stdout or, with -o, to FILE:
written to .FILE.part beside it and renamed only once verified (SHA-256).
An interrupted fetch -o resumes where it stopped when run again, after the
server confirms that the part already copied is unchanged. -o - is stdout;
-o DIR (an existing directory) writes DIR/LOG. Like cp, -o follows a
symbolic link (the file it points at is replaced; a dangling link is
refused) and writes straight into a character device or FIFO (-o /dev/null,
a named pipe: no partial file, no resume); a missing directory, a block
device or a socket is an error.

With several hosts, -o names a DIRECTORY: each host's log is copied, as
above, to DIR/HOST/LOG (DIR/HOST/BASENAME with --path), at most -j hosts at
once; a host that fails is reported and the others carry on. Without -o,
each host's lines are printed labelled with the host (raw), in arrival
order or, with --merge time, merged in timestamp order.

Examples:
   weblogctl fetch web1 > access.log
   weblogctl fetch -o access.log web1 access
   weblogctl fetch --history web1 > all.log        # access.log.N.gz … .1, then access.log
   weblogctl fetch --path /var/log/nginx/access.log web1 > copy.log   # plain sshd, nothing installed
   weblogctl fetch -o logs/ --log access 'web[01-20]'   # logs/web01/access …

`

func fetchCommand() *cli.Command {
	flags := append([]cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` instead of stdout (- for stdout; a directory: DIR/LOG; with several hosts: to the directory FILE)"},
		&cli.BoolFlag{Name: "history", Usage: "the whole history: rotated files oldest first (decompressed), then the live file"},
		pathFlag(),
	}, fleetFlags(true)...)
	return logCommand("fetch", "copy a log byte for byte (verified with SHA-256)", fetchHelp, flags, func(c *cli.Context, t targets) (err error) {
		req := client.Request{Log: t.Log, History: c.Bool("history")}
		var opt fleet.LinesOptions
		if opt.Merge, err = mergeByTime(c); err != nil {
			return err
		}
		r, err := newRunner(c, t)
		if err != nil {
			return err
		}
		if out := c.String("output"); out != "" && out != "-" { // -o -: stdout
			if opt.Merge {
				return usageError{errors.New("fetch: --merge time orders output on stdout; with -o each host has its own file")}
			}
			return r.CopyFiles(c.Context, req, out)
		}
		fp, err := r.NewPrinter(c.App.Writer, "raw")
		if err != nil {
			return err
		}
		return r.Copy(c.Context, req, fp, opt)
	})
}
