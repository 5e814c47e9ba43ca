package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/wire"
)

// Operand rules, for every command that takes hosts (documented in
// hostsHelp and README.md):
//
//   - Each operand is a host ([user@]host[:port] or an ssh_config alias),
//     a pattern (web[01-20], web{a,b}, web1,db1) or @GROUP from the config
//     file; --hosts-file adds one such spec per line.
//   - LOG is --log NAME. For the one-host form `CMD HOST LOG`, exactly two
//     operands without --log or --hosts-file are HOST and LOG, unless the
//     second is a pattern or @GROUP (which no log name can be).
//   - A single plain HOST is the one-host form: output exactly as it has
//     always been. Anything that names a set — several hosts, a pattern, a
//     group, --hosts-file — labels each line with its host and makes
//     fetch -o a directory, whatever the number of hosts it expands to.

// hostsHelp is the operand rule for --help.
const hostsHelp = `HOST is [user@]host[:port] or an ssh_config alias; several hosts work at once.
Options go before the hosts.
A HOST operand may be a pattern, web[01-20] (zero-padded like its lower
bound), web[1,3,5-7], web{a,b}, web1,db1, or @GROUP from the [groups] table
of ~/.config/weblogctl/config.toml ($XDG_CONFIG_HOME honoured); --hosts-file
adds one per line (# comments). With exactly two operands and no --log, the
second is the LOG (the one-host form HOST LOG) unless it is a pattern or
@GROUP: write --log NAME, or a pattern, to name several hosts. With a set of
hosts each line is labelled with its host (json: a "host" member), a host
that fails is reported on stderr as "HOST: reason" while the others carry
on, and the exit status is that of the worst failure (255 if any host could
not be reached).`

// targets is what a command's operands name.
type targets struct {
	hosts []string
	log   string // "" means each host's first log
	fleet bool   // a set of hosts: labelled output, -o is a directory
	// logOperand says that log is the second of two operands, which the
	// user may have meant as a second host.
	logOperand bool
}

// explain adds a hint to an error of a one-host command whose LOG came
// from a second operand, in case it was meant as a host.
func (t targets) explain(c *cli.Context, err error) error {
	var re *wire.Error
	if !t.logOperand || !errors.As(err, &re) || (re.Status != wire.StatusUnavailable && re.Status != wire.StatusUsage) {
		return err
	}
	return hintError{err, fmt.Sprintf("two operands are HOST LOG; to name several hosts, give the log with --log (weblogctl %s --log NAME %s %s) or use a pattern", c.Command.Name, t.hosts[0], t.log)}
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
			&cli.StringFlag{Name: "log", Usage: "the log `NAME` to read on every host (default: each host's first log)", Category: "hosts"},
			&cli.StringFlag{Name: "merge", Value: "arrival", Usage: "order of lines from several hosts: `arrival` or time (by each line's timestamp)", Category: "hosts"},
		)
	}
	return flags
}

// parseTargets reads the operands by the rules above; takesLog says
// whether the command reads a LOG.
func parseTargets(c *cli.Context, takesLog bool) (targets, error) {
	name := c.Command.Name
	args := c.Args().Slice()
	if i := slices.Index(args, "--"); i >= 0 {
		args = slices.Delete(slices.Clone(args), i, i+1)
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			return targets{}, usageError{fmt.Errorf("%s: %q is not a host (a host cannot start with \"-\")", name, a)}
		}
	}
	hostsFile := c.String("hosts-file")
	if c.IsSet("log") && c.IsSet("path") {
		return targets{}, usageError{fmt.Errorf("%s: --log and --path exclude each other (--path names the file)", name)}
	}
	var t targets
	if takesLog {
		t.log = c.String("log")
		if t.log != "" {
			if err := wire.CheckLogName(t.log); err != nil {
				return targets{}, usageError{fmt.Errorf("%s --log: %w", name, err)}
			}
		} else if hostsFile == "" && len(args) == 2 && !fleet.IsSet(args[1]) {
			if c.IsSet("path") {
				return targets{}, usageError{fmt.Errorf("%s --path: want exactly HOST (the file is named by --path), or a set of hosts: a pattern such as 'web{1,2}', three or more hosts, or --hosts-file", name)}
			}
			t.log, args = args[1], args[:1]
			t.logOperand = true
		}
	}
	if len(args) == 0 && hostsFile == "" {
		want := "HOST…"
		if takesLog {
			want = "HOST… [--log LOG], or HOST LOG"
		}
		return targets{}, usageError{fmt.Errorf("%s: want %s", name, want)}
	}
	t.fleet = len(args) > 1 || hostsFile != ""
	for _, a := range args {
		t.fleet = t.fleet || fleet.IsSet(a)
	}
	if !t.fleet {
		t.hosts = args
		return t, nil
	}
	specs := args
	if hostsFile != "" {
		more, err := readHostsFile(c, hostsFile)
		if err != nil {
			return targets{}, usageError{fmt.Errorf("%s: --hosts-file %s: %w", name, hostsFile, err)}
		}
		specs = append(specs[:len(specs):len(specs)], more...)
	}
	opt := fleet.ResolveOptions{}
	for _, s := range specs {
		if strings.HasPrefix(s, "@") {
			path, err := fleet.ConfigFile(os.Getenv)
			if err != nil {
				return targets{}, usageError{fmt.Errorf("%s: %s: %w", name, s, err)}
			}
			if opt.Groups, err = fleet.LoadGroups(path); err != nil {
				return targets{}, usageError{fmt.Errorf("%s: %w", name, err)}
			}
			opt.GroupsFile = path
			break
		}
	}
	hosts, err := fleet.Resolve(specs, opt)
	if err != nil {
		return targets{}, usageError{fmt.Errorf("%s: %w", name, err)}
	}
	if len(hosts) == 0 {
		return targets{}, usageError{fmt.Errorf("%s: no hosts", name)}
	}
	t.hosts = hosts
	return t, nil
}

// readHostsFile reads the host specs of a --hosts-file ("-": stdin).
func readHostsFile(c *cli.Context, path string) ([]string, error) {
	if path == "-" {
		return fleet.ParseHostsFile(c.App.Reader)
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named already
		}
		return nil, err
	}
	defer f.Close()
	return fleet.ParseHostsFile(f)
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
