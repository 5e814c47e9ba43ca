package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/doctor"
	"github.com/weblogctl/weblogctl/fleet"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Usage:     "check that hosts are set up right, and say how to fix what is not",
		ArgsUsage: "HOST…",
		Description: `Connects to each HOST as the other commands do and prints one line per check,
with its verdict (ok, WARN, FAIL; unknown when the server is too old to tell,
skip after an earlier failure) and how to fix a problem: the host is
reachable, its host key known, which authentication worked, whether the
weblog subsystem or a forced command answers, weblog-server's version, each
log this key may read (readable now, its format, its rotation style), clock
skew, and the login shell's start-up cost. Doctor never adds a host key to
known_hosts. Exit status 1 when a check fails (a warning does not).

With several hosts, a table: a row per host, a column per check, then one
line per warning or failure.

Examples:
   weblogctl doctor web1
   weblogctl doctor @web

` + fleet.OperandsHelp,
		Flags: fleetFlags(false),
		Action: func(c *cli.Context) error {
			t, err := parseTargets(c, false)
			if err != nil {
				return err
			}
			cfg := doctor.Config{Dial: dialConfig(c, &fleet.SyncWriter{W: c.App.ErrWriter}), Version: version()}
			// One host is a fleet of one; the output rule: a table for
			// a set of hosts, the full report for one.
			reports := doctor.RunAll(c.Context, t.Hosts, c.Int("jobs"), cfg)
			if t.Set {
				err = doctor.WriteTable(c.App.Writer, reports)
			} else {
				err = doctor.Write(c.App.Writer, reports[0])
			}
			if err != nil {
				return err
			}
			if err := c.Context.Err(); err != nil {
				return err
			}
			failed := 0
			for _, r := range reports {
				if r.Failed() {
					failed++
				}
			}
			if failed > 0 {
				return fmt.Errorf("doctor: %d of %d hosts failed a check", failed, len(reports))
			}
			return nil
		},
	}
}
