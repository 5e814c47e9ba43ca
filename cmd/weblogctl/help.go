package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// usageText is the app's USAGE line; it says where options may go, as
// the README does.
const usageText = `weblogctl [-F ssh_config] [-i key] [-l user] [-p port] [-v] COMMAND [options] HOST…
weblogctl help [COMMAND]

Options, these global ones included, may come before or after the command
and its hosts (weblogctl fetch -p 2299 web1); after -- every word is an
operand.`

// topAction runs when no command matched: no operands shows the help,
// `help [COMMAND]` that help (on stdout, like --help), and any other
// first operand is an unknown command, a usage error.
func topAction(c *cli.Context) error {
	args := c.Args().Slice()
	switch {
	case len(args) == 0 || args[0] == "help" && len(args) == 1:
		return cli.ShowAppHelp(c)
	case args[0] == "help" && len(args) == 2:
		if cmd := c.App.Command(args[1]); cmd != nil && !cmd.Hidden {
			return cli.ShowCommandHelp(c, cmd.Name)
		}
		return unknownCommand(c, args[1])
	case args[0] == "help":
		return hintError{usageError{fmt.Errorf("help takes one command, not %d words", len(args)-1)}, "weblogctl help COMMAND, e.g. weblogctl help follow"}
	}
	return unknownCommand(c, args[0])
}

// unknownCommand is the usage error for a command name that does not
// exist, with the closest one when the name looks like a typo.
func unknownCommand(c *cli.Context, name string) error {
	var names []string
	best, score := "", 0.8
	for _, cmd := range c.App.VisibleCommands() {
		names = append(names, cmd.Name)
		if s := smetrics.JaroWinkler(name, cmd.Name, 0.7, 4); s >= score {
			best, score = cmd.Name, s
		}
	}
	hint := "the commands are " + strings.Join(names, ", ") + "; see weblogctl --help"
	if best != "" {
		hint = "did you mean " + best + "? " + hint
	}
	return hintError{usageError{fmt.Errorf("unknown command %q", name)}, hint}
}
