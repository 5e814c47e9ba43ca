package cliargs

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// Intersperse puts a command line in the order urfave/cli reads (global
// options, the subcommand, its options, then its operands), so that
// options may go anywhere, as ssh users expect:
//
//   - the subcommand's options move before its operands: `weblogctl
//     filter web1 --status 404` means `weblogctl filter --status 404 web1`;
//   - a global option after the subcommand (that the subcommand does not
//     define) moves before it: `weblogctl fetch -p 2299 web1` means
//     `weblogctl -p 2299 fetch web1`;
//   - a one-letter option glued to its value is split, like tail's and
//     ssh's: `-n2` is `-n 2`, `-p2299` is `-p 2299`.
//
// Everything after "--" stays an operand.
func Intersperse(app *cli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	var globals []string
	i := 1
	for ; i < len(args) && isOption(args[i]); i++ {
		n := takeOption(&globals, app.Flags, app.Flags, args[i:])
		i += n - 1
	}
	if i >= len(args) {
		return append(args[:1:1], globals...)
	}
	cmd := app.Command(args[i])
	if cmd == nil {
		return append(append(args[:1:1], globals...), args[i:]...)
	}
	var opts, ops []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		t := rest[j]
		switch {
		case t == "--":
			ops = append(ops, rest[j:]...)
			j = len(rest)
		case isOption(t):
			name := t // the option's name, for a glued one its letter
			if flagOf(cmd.Flags, t) == nil && flagOf(app.Flags, t) == nil && len(t) > 2 && t[1] != '-' {
				name = t[:2]
			}
			if flagOf(cmd.Flags, name) == nil && flagOf(app.Flags, name) != nil {
				j += takeOption(&globals, app.Flags, append(app.Flags, cmd.Flags...), rest[j:]) - 1
				continue
			}
			j += takeOption(&opts, cmd.Flags, append(cmd.Flags, app.Flags...), rest[j:]) - 1
		default:
			ops = append(ops, t)
		}
	}
	out := append(args[:1:1], globals...)
	out = append(out, args[i])
	out = append(out, opts...)
	return append(out, ops...)
}

// isOption reports whether t is an option token.
func isOption(t string) bool {
	return strings.HasPrefix(t, "-") && t != "-" && t != "--"
}

// takeOption appends the option at rest[0] (of flags) and its value to
// dst, and returns how many tokens of rest it took: a one-letter option
// glued to its value (`-n2`, where no flag of all is named "n2") is split
// in two.
func takeOption(dst *[]string, flags, all []cli.Flag, rest []string) int {
	t := rest[0]
	if len(t) > 2 && t[1] != '-' && !strings.Contains(t, "=") && flagOf(all, t) == nil {
		if f := flagOf(flags, t[:2]); f != nil && takesValue(f) {
			*dst = append(*dst, t[:2], t[2:])
			return 1
		}
	}
	*dst = append(*dst, t)
	if f := flagOf(flags, t); f != nil && takesValue(f) && !strings.Contains(t, "=") && len(rest) > 1 {
		*dst = append(*dst, rest[1])
		return 2
	}
	return 1
}

// flagOf returns the flag of flags that the option token t (e.g.
// "--status", "-n", "--format=json") names, or nil.
func flagOf(flags []cli.Flag, t string) cli.Flag {
	name, _, _ := strings.Cut(strings.TrimLeft(t, "-"), "=")
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// takesValue reports whether f takes a value in the next token.
func takesValue(f cli.Flag) bool {
	_, isBool := f.(*cli.BoolFlag)
	return !isBool
}
