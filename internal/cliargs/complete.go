package cliargs

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// CompletionFlag is the flag urfave/cli's completion scripts append to
// the words typed so far; the program answers with the candidates.
const CompletionFlag = "--generate-bash-completion"

// Prepare returns args ready for app: with options moved before operands
// (Intersperse), except when the shell asks for completions. Then the
// completion flag must stay last, and a last word that is an option (the
// one being completed, or one still waiting for its value) is left out:
// urfave/cli v2 crashes on an option it cannot parse in completion mode.
// Complete reads that word from os.Args, which keeps it.
func Prepare(app *cli.App, args []string) []string {
	n := len(args)
	if n == 0 || args[n-1] != CompletionFlag {
		return Intersperse(app, args)
	}
	if n >= 3 && strings.HasPrefix(args[n-2], "-") {
		return append(slices.Clone(args[:n-2]), CompletionFlag)
	}
	return args
}

// Candidates are the operand completions of a command.
type Candidates struct {
	// Hosts returns the candidates for a host operand.
	Hosts func(c *cli.Context) []string
	// Logs, when not nil, returns the candidates for the operand after
	// the first one (HOST LOG); none falls back to Hosts.
	Logs func(c *cli.Context, host string) []string
}

// Complete returns cmd's completion function: options after a dash,
// nothing after an option that takes a value (the shell then completes
// file names), the Logs of the host when one operand is given, else the
// Hosts.
func Complete(cmd *cli.Command, cand Candidates) cli.BashCompleteFunc {
	flags := cli.DefaultCompleteWithFlags(cmd)
	return func(c *cli.Context) {
		// urfave/cli hands completion the raw words only through os.Args:
		// … WORD [CURRENT] --generate-bash-completion.
		words := os.Args[1:]
		if n := len(words); n > 0 && words[n-1] == CompletionFlag {
			words = words[:n-1]
		}
		if n := len(words); n > 0 {
			last := words[n-1]
			value := WantsValue(cmd.Flags, last) || WantsValue(c.App.Flags, last)
			if value {
				return
			}
			if strings.HasPrefix(last, "-") {
				flags(c)
				return
			}
		}
		if ops := Operands(cmd, c.App, words); len(ops) == 1 && cand.Logs != nil {
			if names := cand.Logs(c, ops[0]); len(names) > 0 {
				for _, name := range names {
					fmt.Fprintln(c.App.Writer, name)
				}
				return
			}
		}
		for _, h := range cand.Hosts(c) {
			fmt.Fprintln(c.App.Writer, h)
		}
	}
}

// Operands returns the words after cmd's name in words that are neither
// options nor their values.
func Operands(cmd *cli.Command, app *cli.App, words []string) []string {
	i := slices.Index(words, cmd.Name)
	if i < 0 {
		return nil
	}
	var ops []string
	for rest := words[i+1:]; len(rest) > 0; rest = rest[1:] {
		w := rest[0]
		switch {
		case w == "--":
			return append(ops, rest[1:]...)
		case strings.HasPrefix(w, "-") && len(w) > 1:
			if (WantsValue(cmd.Flags, w) || WantsValue(app.Flags, w)) && len(rest) > 1 {
				rest = rest[1:]
			}
		default:
			ops = append(ops, w)
		}
	}
	return ops
}

// WantsValue reports whether the option token t (without "=VALUE") is one
// of flags that takes a value in the next token.
func WantsValue(flags []cli.Flag, t string) bool {
	name, _, hasValue := strings.Cut(strings.TrimLeft(t, "-"), "=")
	if hasValue {
		return false
	}
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return takesValue(f)
		}
	}
	return false
}
