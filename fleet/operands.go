package fleet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/weblogctl/weblogctl/wire"
)

// Operand rules, for every weblogctl command that takes hosts (its --help
// and README.md say the same):
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

// OperandsHelp states the operand rules (ParseOperands) for a command's
// --help.
const OperandsHelp = `HOST is [user@]host[:port] or an ssh_config alias; several hosts work at once.
Options may go before or after the hosts (and ssh's -p -i -l -F -v after the command).
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

// Targets is what a command's operands name.
type Targets struct {
	Hosts []string
	// Log is the log to read; "" means each host's first log.
	Log string
	// Set says the operands name a set of hosts (RunConfig.Labelled).
	Set bool
	// LogOperand says that Log is the second of two operands, which the
	// user may have meant as a second host.
	LogOperand bool
}

// OperandOptions are the options that bear on a command's operands.
type OperandOptions struct {
	// Command names the command in errors.
	Command string
	// TakesLog says whether the command reads a LOG.
	TakesLog bool
	// Log is --log; Plain says --path was given.
	Log   string
	Plain bool
	// HostsFile is --hosts-file ("-": Stdin).
	HostsFile string
	Stdin     io.Reader
	// Getenv finds the groups file (ConfigFile).
	Getenv func(string) string
}

// ParseOperands reads a command's operands by the rules above. Every
// error is a mistake on the command line.
func ParseOperands(args []string, opt OperandOptions) (Targets, error) {
	name := opt.Command
	if i := slices.Index(args, "--"); i >= 0 {
		args = slices.Delete(slices.Clone(args), i, i+1)
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			return Targets{}, fmt.Errorf("%s: %q is not a host (a host cannot start with \"-\")", name, a)
		}
	}
	if opt.Log != "" && opt.Plain {
		return Targets{}, fmt.Errorf("%s: --log and --path exclude each other (--path names the file)", name)
	}
	var t Targets
	if opt.TakesLog {
		t.Log = opt.Log
		if t.Log != "" {
			if err := wire.CheckLogName(t.Log); err != nil {
				return Targets{}, fmt.Errorf("%s --log: %w", name, err)
			}
		} else if opt.HostsFile == "" && len(args) == 2 && !IsSet(args[1]) {
			if opt.Plain {
				return Targets{}, fmt.Errorf("%s --path: want exactly HOST (the file is named by --path), or a set of hosts: a pattern such as 'web{1,2}', three or more hosts, or --hosts-file", name)
			}
			t.Log, args = args[1], args[:1]
			t.LogOperand = true
		}
	}
	if len(args) == 0 && opt.HostsFile == "" {
		want := "HOST…"
		if opt.TakesLog {
			want = "HOST… [--log LOG], or HOST LOG"
		}
		return Targets{}, fmt.Errorf("%s: want %s", name, want)
	}
	t.Set = len(args) > 1 || opt.HostsFile != "" || slices.ContainsFunc(args, IsSet)
	if !t.Set {
		t.Hosts = args
		return t, nil
	}
	specs := args
	if opt.HostsFile != "" {
		more, err := readHostsFile(opt.HostsFile, opt.Stdin)
		if err != nil {
			return Targets{}, fmt.Errorf("%s: --hosts-file %s: %w", name, opt.HostsFile, err)
		}
		specs = append(specs[:len(specs):len(specs)], more...)
	}
	var ro ResolveOptions
	if i := slices.IndexFunc(specs, func(s string) bool { return strings.HasPrefix(s, "@") }); i >= 0 {
		path, err := ConfigFile(opt.Getenv)
		if err != nil {
			return Targets{}, fmt.Errorf("%s: %s: %w", name, specs[i], err)
		}
		if ro.Groups, err = LoadGroups(path); err != nil {
			return Targets{}, fmt.Errorf("%s: %w", name, err)
		}
		ro.GroupsFile = path
	}
	hosts, err := Resolve(specs, ro)
	if err != nil {
		return Targets{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(hosts) == 0 {
		return Targets{}, fmt.Errorf("%s: no hosts", name)
	}
	t.Hosts = hosts
	return t, nil
}

// readHostsFile reads the host specs of a --hosts-file ("-": stdin).
func readHostsFile(path string, stdin io.Reader) ([]string, error) {
	if path == "-" {
		return ParseHostsFile(stdin)
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
	return ParseHostsFile(f)
}
