package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/wire"
)

// targets is what a command's operands name.
type targets = fleet.Targets

// explain adds a hint to an error of a one-host command whose LOG came
// from a second operand, in case it was meant as a host.
func explain(c *cli.Context, t targets, err error) error {
	var re *wire.Error
	if !t.LogOperand || !errors.As(err, &re) || (re.Status != wire.StatusUnavailable && re.Status != wire.StatusUsage) {
		return err
	}
	return hintError{err, fmt.Sprintf("two operands are HOST LOG; to name several hosts, give the log with --log (weblogctl %s --log NAME %s %s) or use a pattern", c.Command.Name, t.Hosts[0], t.Log)}
}

// logCommand is a command that reads a LOG on hosts: its action parses
// the operands, runs act and explains its error (see explain).
func logCommand(name, usage, help string, flags []cli.Flag, act func(c *cli.Context, t targets) error) *cli.Command {
	return &cli.Command{
		Name:        name,
		Usage:       usage,
		ArgsUsage:   "HOST [LOG] | HOST… [--log LOG]",
		Description: help + fleet.OperandsHelp,
		Flags:       flags,
		Action: func(c *cli.Context) error {
			t, err := parseTargets(c, true)
			if err != nil {
				return err
			}
			return explain(c, t, act(c, t))
		},
	}
}

// hintError is an error with a better hint than the usual one.
type hintError struct {
	error
	hint string
}

func (e hintError) Unwrap() error { return e.error }

// fleetFlags are the options of the commands that take hosts. withLog
// adds --log and --merge (commands that read a log's lines).
func fleetFlags(withLog bool) []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "hosts-file", Usage: "read more hosts from `FILE`, one host, pattern or @GROUP per line, # comments (\"-\": stdin)", Category: "hosts"},
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: fleet.DefaultJobs, Usage: "work on at most `N` hosts at once (follow and --merge time keep every host open: N bounds the connection attempts in flight)", Category: "hosts"},
	}
	if withLog {
		flags = append(flags,
			logFlag(),
			&cli.StringFlag{Name: "merge", Value: "arrival", Usage: "order of lines from several hosts: `arrival` or time (by each line's timestamp)", Category: "hosts"},
		)
	}
	return flags
}

// logFlag is --log, the log to read on every host.
func logFlag() cli.Flag {
	return &cli.StringFlag{Name: "log", Usage: "the log `NAME` to read on every host (default: each host's first log)", Category: "hosts"}
}

// parseTargets reads the operands (fleet.ParseOperands); takesLog says
// whether the command reads a LOG.
func parseTargets(c *cli.Context, takesLog bool) (targets, error) {
	t, err := fleet.ParseOperands(c.Args().Slice(), fleet.OperandOptions{
		Command:   c.Command.Name,
		TakesLog:  takesLog,
		Log:       c.String("log"),
		Plain:     c.IsSet("path"),
		HostsFile: c.String("hosts-file"),
		Stdin:     c.App.Reader,
		Getenv:    os.Getenv,
	})
	if err != nil {
		return targets{}, usageError{err}
	}
	return t, nil
}

// mergeByTime reads --merge.
func mergeByTime(c *cli.Context) (bool, error) {
	switch m := c.String("merge"); m {
	case "arrival":
		return false, nil
	case "time":
		return true, nil
	default:
		return false, usageError{fmt.Errorf("%s: --merge %q: want arrival or time", c.Command.Name, m)}
	}
}
