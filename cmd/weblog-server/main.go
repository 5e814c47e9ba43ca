// Command weblog-server is the server side of weblogctl: run by sshd as a
// forced command or as the weblog Subsystem, it lets one SSH key read the
// logs named on its command line and nothing else. See PROTOCOL.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/weblogctl/weblogctl/internal/docscmd"
	"github.com/weblogctl/weblogctl/subsystem"
	"github.com/weblogctl/weblogctl/wire"
)

func main() {
	os.Exit(run(os.Args))
}

func run(args []string) int {
	status := int(wire.StatusOK)
	app := &cli.App{
		Name:  subsystem.ServerName,
		Usage: "let an SSH key read named logs and nothing else",
		UsageText: `weblog-server --log NAME=PATH [--log NAME=PATH …]

In ~/.ssh/authorized_keys (one line):
  restrict,command="/usr/local/bin/weblog-server --log access=/var/log/nginx/access.log" ssh-ed25519 AAAA… alice

or in sshd_config:
  Subsystem weblog /usr/local/bin/weblog-server --log access=/var/log/nginx/access.log`,
		Version:                   versionLine(),
		HideHelpCommand:           true,
		DisableSliceFlagSeparator: true,
		Commands:                  []*cli.Command{listenCommand(), versionCommand(), docscmd.Command(8)},
		Flags:                     policyFlags(),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit(fmt.Sprintf("weblog-server: error: unexpected argument %q (requests come from SSH, not the command line)", c.Args().First()), int(wire.StatusUsage))
			}
			s, err := newServer(c)
			if err != nil {
				return cli.Exit(wire.ErrorPrefix+err.Error(), int(wire.StatusUsage))
			}
			defer s.close()
			status = serve(s)
			return nil
		},
	}
	if err := app.Run(args); err != nil {
		if ec, ok := err.(cli.ExitCoder); ok {
			fmt.Fprintln(os.Stderr, ec.Error())
			return ec.ExitCode()
		}
		fmt.Fprintf(os.Stderr, "weblog-server: error: %v\n", err)
		return int(wire.StatusUsage)
	}
	return status
}

// serve picks the mode from the SSH environment and serves the session on
// stdin/stdout. It returns the exit status.
func serve(s *server) int {
	orig, set := os.LookupEnv("SSH_ORIGINAL_COMMAND")
	_, hasTTY := os.LookupEnv("SSH_TTY")
	tty := hasTTY || term.IsTerminal(int(os.Stdin.Fd()))
	mode, line, werr := subsystem.Invocation(orig, set, tty, os.Args[0])
	if werr != nil {
		fmt.Fprintf(os.Stderr, "weblog-server: error: %s\n", werr.Message)
		if tty {
			fmt.Fprint(os.Stderr, subsystem.Help)
		}
		return int(werr.Status)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer cancel()
	// A write to a closed pipe must fail with EPIPE, not kill us silently.
	signal.Ignore(syscall.SIGPIPE)
	go func() {
		watchHangup(int(os.Stdout.Fd()))
		cancel()
	}()

	id := identityFromEnv(os.Getenv)
	if !id.Until.IsZero() {
		// sshd lets a session outlive its certificate; access granted
		// until a time ends then.
		var stop context.CancelFunc
		ctx, stop = context.WithDeadlineCause(ctx, id.Until, wire.Errorf(wire.StatusLimit,
			"access ended: the certificate expired at "+id.Until.UTC().Format(time.RFC3339)))
		defer stop()
	}
	if mode == subsystem.ModeExec {
		return int(s.sub.Exec(ctx, id, line, os.Stdout, os.Stderr))
	}
	return int(s.sub.Serve(ctx, id, os.Stdin, os.Stdout, os.Stderr))
}
