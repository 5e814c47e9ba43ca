package main

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/internal/cliargs"
	"github.com/weblogctl/weblogctl/internal/docscmd"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// hostCommands take host operands, so their completion offers the host
// aliases of the ssh_config files.
var hostCommands = []string{"ls", "fetch", "follow", "filter", "stats", "top", "doctor"}

// addShellSupport turns on shell completion (commands and flags from the
// definitions, host aliases for host operands) and adds the hidden
// command that writes the man page and completion scripts.
func addShellSupport(app *cli.App) {
	app.EnableBashCompletion = true
	for _, c := range app.Commands {
		if !slices.Contains(hostCommands, c.Name) {
			continue
		}
		cand := cliargs.Candidates{Hosts: hostAliases}
		if slices.Contains(logCommands, c.Name) {
			// HOST given: the second operand is a LOG of that host (or,
			// when it cannot be asked, another host).
			cand.Logs = logNames
		}
		c.BashComplete = cliargs.Complete(c, cand)
	}
	app.Commands = append(app.Commands, docscmd.Command(1))
}

// logCommands take HOST LOG operands, so a word after the host completes
// to the host's log names.
var logCommands = []string{"fetch", "follow", "filter", "stats"}

// completionTimeout bounds the connection that lists a host's logs while
// the user waits at a prompt.
const completionTimeout = 3 * time.Second

// hostAliases returns the host aliases of the ssh_config files (-F).
func hostAliases(c *cli.Context) []string {
	return sshdial.HostAliases(c.String("config"))
}

// logNames returns the logs host lets this key read, asking nothing: no
// prompt for a passphrase or an unknown host key (those keys and hosts
// give no names), and nothing after completionTimeout.
func logNames(c *cli.Context, host string) []string {
	ctx, cancel := context.WithTimeout(c.Context, completionTimeout)
	defer cancel()
	cfg := dialConfig(c, io.Discard)
	cfg.Prompter, cfg.Debug = nil, nil
	conn, err := sshdial.Dial(ctx, host, cfg)
	if err != nil {
		return nil
	}
	defer conn.Close()
	logs, err := client.New(conn).List(ctx)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(logs))
	for _, l := range logs {
		if wire.Sanitize(l.Name) == l.Name { // a name the shell can take as it is
			names = append(names, l.Name)
		}
	}
	return names
}
