package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
)

func fetchCommand() *cli.Command {
	return &cli.Command{
		Name:      "fetch",
		Usage:     "copy a log byte for byte (verified with SHA-256)",
		ArgsUsage: "HOST [LOG] | HOST… [--log LOG]",
		Description: `Copies LOG (default: the host's first log) to stdout or, with -o, to FILE:
written to .FILE.part beside it and renamed only once verified (SHA-256).
An interrupted fetch -o resumes where it stopped when run again, after the
server confirms that the part already copied is unchanged.

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

` + hostsHelp,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` instead of stdout (with several hosts: to the directory FILE)"},
			&cli.BoolFlag{Name: "history", Usage: "the whole history: rotated files oldest first (decompressed), then the live file"},
			pathFlag(),
		}, fleetFlags(true)...),
		Action: func(c *cli.Context) (err error) {
			t, err := parseTargets(c, true)
			if err != nil {
				return err
			}
			defer func() { err = t.explain(c, err) }()
			if t.fleet {
				return fetchFleet(c, t)
			}
			if c.IsSet("path") {
				return plainFetch(c)
			}
			host, log := t.hosts[0], t.log
			var extra []client.Option
			if pr := startProgress(c.App.ErrWriter, host); pr != nil {
				defer pr.end()
				extra = append(extra, client.WithProgress(pr.add))
			}
			wc, closeConn, err := connect(c, host, extra...)
			if err != nil {
				return err
			}
			defer closeConn()
			if log, err = defaultLog(c.Context, wc, log); err != nil {
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

// fetchFleet copies the log of every host: into DIR/HOST/LOG with -o DIR,
// else as labelled lines on stdout.
func fetchFleet(c *cli.Context, t targets) error {
	r, err := newFleetRun(c, t.hosts)
	if err != nil {
		return err
	}
	byTime, err := mergeByTime(c)
	if err != nil {
		return err
	}
	out, history := c.String("output"), c.Bool("history")
	path, plain := c.String("path"), c.IsSet("path")
	if out == "" {
		fp, err := newFleetPrinter(c.App.Writer, "raw", t.hosts, false)
		if err != nil {
			return err
		}
		return runLines(r, fp, byTime, 0, r.jobs, func(ctx context.Context, i int, emit func([]byte) error) error {
			lw := &fleet.LineWriter{Emit: emit}
			var err error
			if plain {
				err = plainFetchTo(ctx, r, t.hosts[i], path, lw)
			} else {
				err = fetchTo(ctx, r, t.hosts[i], t.log, history, lw)
			}
			if err == nil {
				err = lw.Close()
			}
			return err
		})
	}
	if byTime {
		return usageError{errors.New("fetch: --merge time orders output on stdout; with -o each host has its own file")}
	}
	dirs, err := hostDirs(t.hosts)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	r.run(c.Context, r.jobs, func(ctx context.Context, i int) error {
		host := t.hosts[i]
		dir := filepath.Join(out, dirs[i])
		if plain {
			conn, err := r.dial(ctx, host)
			if err != nil {
				return err
			}
			defer conn.Close()
			name := filepath.Base(path)
			if name == "/" || name == "." || name == ".." {
				name = "log"
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			return client.PlainFetchFile(ctx, conn, path, filepath.Join(dir, name))
		}
		wc, conn, err := r.connect(ctx, host)
		if err != nil {
			return err
		}
		defer conn.Close()
		log, err := defaultLog(ctx, wc, t.log)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		file := filepath.Join(dir, log)
		if history {
			err = wc.FetchHistoryFile(ctx, log, file)
		} else {
			_, err = wc.FetchFile(ctx, log, file)
		}
		if err == nil {
			r.debugf(host, "wrote %s", file)
		}
		return err
	})
	return r.result(c.Context)
}

// fetchTo copies host's log (its whole history with history) to w,
// verified as fetch does.
func fetchTo(ctx context.Context, r *fleetRun, host, log string, history bool, w io.Writer) error {
	wc, conn, err := r.connect(ctx, host)
	if err != nil {
		return err
	}
	defer conn.Close()
	if log, err = defaultLog(ctx, wc, log); err != nil {
		return err
	}
	if history {
		return wc.FetchHistory(ctx, log, w)
	}
	_, err = wc.Cat(ctx, log, client.CatOptions{}, w)
	return err
}

// plainFetchTo copies the file at path on host to w (plain mode).
func plainFetchTo(ctx context.Context, r *fleetRun, host, path string, w io.Writer) error {
	conn, err := r.dial(ctx, host)
	if err != nil {
		return err
	}
	defer conn.Close()
	return client.PlainCat(ctx, conn, path, w)
}

// hostDirs returns the directory name of each host under fetch -o DIR:
// the host as given, with "ssh://" dropped and any character that could
// leave DIR ("/", "\", control characters) made "_"; "." and ".."
// become "_." and "_..". Two hosts that would share a directory are
// refused.
func hostDirs(hosts []string) ([]string, error) {
	dirs := make([]string, len(hosts))
	owner := make(map[string]string, len(hosts))
	for i, h := range hosts {
		d := strings.Map(func(r rune) rune {
			if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
				return '_'
			}
			return r
		}, strings.TrimPrefix(h, "ssh://"))
		if d == "." || d == ".." {
			d = "_" + d
		}
		if prev, ok := owner[d]; ok {
			return nil, usageError{fmt.Errorf("fetch -o: hosts %q and %q would share the directory %q", prev, h, d)}
		}
		owner[d] = h
		dirs[i] = d
	}
	return dirs, nil
}
