// Command weblogctl watches, filters and copies web-server access logs on
// remote hosts over SSH, through weblog-server on the far side.
//
// Output rules (every command follows them):
//   - stdout carries only what was asked for: log bytes, listings. Nothing
//     else, ever, so `weblogctl fetch web1 > copy.log` is the log.
//   - Errors go to stderr as `weblogctl: error: WHAT`, optionally followed
//     by `weblogctl: hint: WHAT TO DO`, and the exit status is non-zero:
//     1 local failure, 2 usage, 3 log unavailable (no such log or not
//     allowed), 4 remote I/O error, 5 remote limit, 255 could not connect
//     (like ssh).
//   - Text from the remote side is printed with control bytes replaced.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/wire"
)

// Version is set at link time (-ldflags "-X main.Version=…").
var Version = "dev"

// Exit statuses beyond the remote ones of PROTOCOL.md §5.
const (
	exitLocal   = 1
	exitUsage   = 2
	exitConnect = 255
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	os.Exit(run(ctx, os.Args, os.Stdout, os.Stderr))
}

// run is main without the process: testable.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, intersperse(app, args))
	if err == nil {
		return 0
	}
	return report(stderr, err)
}

func newApp(stdout, stderr io.Writer) *cli.App {
	// -v means verbose, as in ssh; the version flag keeps only --version.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version"}
	return &cli.App{
		Name:    "weblogctl",
		Usage:   "watch, filter and copy web-server logs over SSH",
		Version: Version,
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
		Commands:       []*cli.Command{lsCommand(), fetchCommand(), followCommand(), filterCommand(), demoCommand(), authorizeCommand()},
		ExitErrHandler: func(*cli.Context, error) {}, // run reports errors
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
	}
}

// usageError marks a mistake on the command line.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// connectError marks a failure to reach or log in to a host.
type connectError struct{ error }

func (e connectError) Unwrap() error { return e.error }

// report prints err by the output rules and returns the exit status.
func report(stderr io.Writer, err error) int {
	var fe fleetError
	if errors.As(err, &fe) {
		return fe.status // each host's failure is reported already
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	if errors.Is(err, errStopPath) {
		return 0 // --until-path: the expected end
	}
	if errors.Is(err, syscall.EPIPE) {
		return 0 // the reader of our stdout went away, like `| head`
	}
	status, hint := describe(err)
	fmt.Fprintf(stderr, "weblogctl: error: %v\n", err)
	if hint != "" {
		fmt.Fprintf(stderr, "weblogctl: hint: %s\n", hint)
	}
	return status
}

// describe returns the exit status for err and a hint for what to do
// about it, if there is one.
func describe(err error) (status int, hint string) {
	status, hint = describeStatus(err)
	var he hintError
	if errors.As(err, &he) {
		hint = he.hint
	}
	return status, hint
}

// describeStatus is describe with the usual hints.
func describeStatus(err error) (status int, hint string) {
	var ue usageError
	var ce connectError
	var re *wire.Error
	switch {
	case errors.As(err, &ue):
		return exitUsage, "see weblogctl --help"
	case errors.As(err, &re):
		if re.Status == wire.StatusUnavailable {
			hint = "`weblogctl ls HOST` lists the logs this key may read"
		}
		if re.Status > 0 && re.Status <= wire.StatusLimit {
			return int(re.Status), hint
		}
		return exitLocal, hint
	case errors.As(err, &ce):
		return exitConnect, client.Hint(err)
	case errors.Is(err, client.ErrProtocol):
		return exitConnect, "is weblog-server installed for this key? (see README: the authorized_keys line)"
	}
	return exitLocal, ""
}
