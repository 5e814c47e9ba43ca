package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/demo"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/sshdial"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "try it with no setup: follow a made-up busy log through a local SSH server",
		Description: `Starts weblog-server's embedded SSH server on a random 127.0.0.1 port with
throwaway keys, writes realistic access-log lines to a temporary log a few
times a second, and follows that log through a real SSH connection, as
'weblogctl follow' would follow a remote host. Everything it creates lives
in one temporary directory, removed when it stops (after --duration, or on
Ctrl-C). While it runs, it prints on stderr how to try the same server
with ssh(1) by hand.`,
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "duration", Usage: "stop after `D` (e.g. 30s); default: until Ctrl-C"},
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{fmt.Errorf("demo: unexpected argument %q", c.Args().First())}
			}
			d := c.Duration("duration")
			if d < 0 {
				return usageError{errors.New("demo: --duration must not be negative")}
			}
			ctx := c.Context
			if d > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, d)
				defer cancel()
			}
			err := runDemo(ctx, c.App.Writer, c.App.ErrWriter, c.Bool("verbose"))
			if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil // the time is up, or Ctrl-C: a normal end
			}
			return err
		},
	}
}

// runDemo runs the demo until ctx ends, removing what it created.
func runDemo(ctx context.Context, stdout, stderr io.Writer, verbose bool) error {
	cfg := demo.Config{Version: version()}
	if verbose {
		cfg.Logger = stderr
	}
	d, err := demo.Start(cfg)
	if err != nil {
		return err
	}
	defer d.Close()

	dc := sshdial.Config{ConfigFile: d.SSHConfig, Stderr: stderr}
	if verbose {
		dc.Debug = stderr
	}
	conn, err := sshdial.Dial(ctx, demo.Host, dc)
	if err != nil {
		return connectError{err}
	}
	defer conn.Close()

	fmt.Fprintf(stderr, `weblogctl demo: following a made-up access log through a real SSH connection
  to weblog-server's embedded server on %s, with throwaway keys;
  everything is in %s and goes away when the demo stops (Ctrl-C).
  Meanwhile, try from another terminal:
    ssh -F %[3]s %[4]s              # follow it with plain ssh
    ssh -F %[3]s %[4]s cat access   # the whole log
    weblogctl -F %[3]s ls %[4]s
  or, without the config file:
    ssh -p %[5]d -i %[6]s -o UserKnownHostsFile=%[7]s demo@127.0.0.1
`, d.Addr, d.Dir, d.SSHConfig, demo.Host, d.Addr.Port, d.KeyFile, d.KnownHosts)

	pr, err := fleet.NewLinePrinter(stdout, "", accesslog.Format{})
	if err != nil {
		return fmt.Errorf("demo: %w", usageError{err})
	}
	n := 10
	_, err = client.New(conn).Follow(ctx, demo.Log, client.FollowOptions{Lines: &n}, func(lines []byte) error {
		if err := pr.Lines(lines); err != nil {
			return err
		}
		return pr.Flush()
	})
	return err
}
