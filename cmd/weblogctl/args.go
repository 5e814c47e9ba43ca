package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// intersperse moves the options of a command line's subcommand before its
// operands, as ssh users expect: `weblogctl filter web1 --status 404
// --since 2h` means `weblogctl filter --status 404 --since 2h web1`.
// urfave/cli stops reading options at the first operand. Everything after
// "--" stays an operand.
func intersperse(app *cli.App, args []string) []string {
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" && args[i] != "--" {
		if takesValue(app.Flags, args[i]) {
			i++
		}
		i++
	}
	if i >= len(args) {
		return args
	}
	cmd := app.Command(args[i])
	if cmd == nil {
		return args
	}
	var opts, ops []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		t := rest[j]
		switch {
		case t == "--":
			ops = append(ops, rest[j:]...)
			j = len(rest)
		case strings.HasPrefix(t, "-") && t != "-":
			opts = append(opts, t)
			if takesValue(cmd.Flags, t) && j+1 < len(rest) {
				j++
				opts = append(opts, rest[j])
			}
		default:
			ops = append(ops, t)
		}
	}
	out := slices.Clone(args[:i+1])
	out = append(out, opts...)
	return append(out, ops...)
}

// takesValue reports whether the option token t (e.g. "--status",
// "-n") names one of flags that takes a value in the next token.
func takesValue(flags []cli.Flag, t string) bool {
	name, _, hasValue := strings.Cut(strings.TrimLeft(t, "-"), "=")
	if hasValue {
		return false
	}
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			_, isBool := f.(*cli.BoolFlag)
			return !isBool
		}
	}
	return false
}
