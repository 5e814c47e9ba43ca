package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/internal/cliargs"
)

// run is main without the process: testable.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	addShellSupport(app)
	err := app.RunContext(ctx, cliargs.Prepare(app, args))
	if err == nil {
		return 0
	}
	status := report(stderr, err)
	if status == exitInterrupted {
		status = interruptStatus(ctx)
	}
	return status
}

func newApp(stdout, stderr io.Writer) *cli.App {
	// -v means verbose, as in ssh; the version flag keeps only --version.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version"}
	app := &cli.App{
		Name:      "weblogctl",
		Usage:     "watch, filter and copy web-server logs over SSH",
		UsageText: usageText,
		Action:    topAction, // help COMMAND, unknown commands
		Version:   versionLine(),
		Description: `weblogctl reads logs through weblog-server on the remote host: installed with
one line in ~/.ssh/authorized_keys, it lets your key read the named logs and
nothing else. Hosts resolve through ~/.ssh/config like ssh.

Examples:
   weblogctl ls web1
   weblogctl follow web1               # last 10 lines, then new ones
   weblogctl follow -n 0 web1 access
   weblogctl fetch web1 > access.log
   weblogctl fetch -o access.log web1 access
   weblogctl follow --merge time --log access 'web[01-20]' @edge   # many hosts (see follow --help)`,
		Writer:                 stdout,
		ErrWriter:              stderr,
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		// Commas belong to values (regular expressions, lists the server
		// splits itself): never split flag values.
		DisableSliceFlagSeparator: true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Aliases: []string{"F"}, Usage: "ssh_config `FILE` (default ~/.ssh/config; \"none\" for none)"},
			&cli.StringFlag{Name: "identity", Aliases: []string{"i"}, Usage: "use the private key in `FILE`"},
			&cli.StringFlag{Name: "login", Aliases: []string{"l"}, Usage: "log in as `USER`"},
			&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Usage: "connect to `PORT`"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print what happens on stderr (connections, files followed)"},
			&cli.IntFlag{Name: "parallel", Usage: "fetch in `N` byte ranges at once, each on its own channel (0: automatic, 4 when the round trip is ≥ 20 ms and the log ≥ 32 MiB; 1: off)"},
			&cli.StringFlag{Name: "compress", Value: "auto", Usage: "compress fetch and filter answers: `MODE` auto (S2 when the link's round trip is ≥ 0.5 ms, zstd from 5 ms), zstd, s2 or none"},
			&cli.BoolFlag{Name: "insecure-ignore-host-key", Usage: "DANGEROUS: do not verify the server's host key (anyone on the path can impersonate it)"},
		},
		Commands:       []*cli.Command{lsCommand(), fetchCommand(), followCommand(), filterCommand(), statsCommand(), topCommand(), demoCommand(), authorizeCommand(), doctorCommand()},
		ExitErrHandler: func(*cli.Context, error) {}, // run reports errors
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
	}
	// A subcommand's usage error is one line and a hint on stderr, exit 2,
	// like the others (urfave/cli would print the help on stdout).
	for _, cmd := range app.Commands {
		// No "help"/"h" subcommand under a command: `weblogctl ls h` is
		// the host h, not ls's help (--help still shows it).
		cmd.HideHelpCommand = true
		cmd.OnUsageError = func(c *cli.Context, err error, _ bool) error {
			return hintError{usageError{fmt.Errorf("%s: %w", cmd.Name, err)}, "see weblogctl " + cmd.Name + " --help"}
		}
		// The command's own usage errors (a bad --by, a missing operand)
		// point at its help too, not at the global one.
		if action := cmd.Action; action != nil {
			cmd.Action = func(c *cli.Context) error {
				err := action(c)
				var he hintError
				if errors.As(err, new(usageError)) && !errors.As(err, &he) {
					return hintError{err, "see weblogctl " + cmd.Name + " --help"}
				}
				return err
			}
		}
	}
	return app
}
