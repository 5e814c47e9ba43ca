package main

import (
	"bufio"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
)

// pathFlag selects plain mode: a file read through any sshd and shell
// account, with nothing installed on the host.
func pathFlag() cli.Flag {
	return &cli.StringFlag{Name: "path", Usage: "plain mode: read the file at `PATH` through an ordinary shell account (cat / tail -F), with nothing installed on the host; no policy, no exact resume"}
}

// plainHost reads the HOST operand of a plain-mode command, which takes
// no LOG.
func plainHost(c *cli.Context) (string, error) {
	if c.NArg() != 1 {
		return "", usageError{fmt.Errorf("%s --path: want exactly HOST (the file is named by --path)", c.Command.Name)}
	}
	return c.Args().First(), nil
}

// plainFetch copies --path from HOST to stdout or -o FILE.
func plainFetch(c *cli.Context) error {
	host, err := plainHost(c)
	if err != nil {
		return err
	}
	conn, err := dialer(c, host)(c.Context)
	if err != nil {
		return err
	}
	defer conn.Close()
	if out := c.String("output"); out != "" {
		return client.PlainFetchFile(c.Context, conn, c.String("path"), out)
	}
	w := bufio.NewWriterSize(c.App.Writer, 256<<10)
	err = client.PlainCat(c.Context, conn, c.String("path"), w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// plainLines prints --path from HOST through p (which filters locally):
// the whole file, or with follow its last n lines and then new ones.
func plainLines(c *cli.Context, p *printer, follow bool, n int) error {
	host, err := plainHost(c)
	if err != nil {
		return err
	}
	conn, err := dialer(c, host)(c.Context)
	if err != nil {
		return err
	}
	defer conn.Close()
	emit := func(lines []byte) error {
		if err := p.lines(lines); err != nil {
			return err
		}
		if follow {
			return p.flush()
		}
		return nil
	}
	err = client.PlainLines(c.Context, conn, c.String("path"), follow, n, emit)
	if ferr := p.flush(); err == nil {
		err = ferr
	}
	return err
}
