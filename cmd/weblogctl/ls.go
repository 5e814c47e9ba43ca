package main

import (
	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/fleet"
)

// lsHelp is ls's --help, before the operand rules.
const lsHelp = `Prints NAME, SIZE (bytes) and last modification time of each log. With
several hosts, each row starts with its HOST, in the order the hosts were
given. When the host says until when this access is valid (an OpenSSH
certificate's end), a last line says "access valid until TIME" (with
several hosts, "HOST: access valid until TIME").

Examples:
   weblogctl ls web1
   weblogctl ls 'web[01-30]' @db

`

func lsCommand() *cli.Command {
	return &cli.Command{
		Name:        "ls",
		Usage:       "list the logs this key may read",
		ArgsUsage:   "HOST…",
		Description: lsHelp + fleet.OperandsHelp,
		Flags:       fleetFlags(false),
		Action: func(c *cli.Context) error {
			t, err := parseTargets(c, false)
			if err != nil {
				return err
			}
			r, err := newRunner(c, t)
			if err != nil {
				return err
			}
			return r.List(c.Context, c.App.Writer)
		},
	}
}
