package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/internal/docscmd"
	"github.com/weblogctl/weblogctl/sshdial"
)

// completionFlag is the flag urfave/cli's completion scripts append to
// the words typed so far; the program answers with the candidates.
const completionFlag = "--generate-bash-completion"

// hostCommands take host operands, so their completion offers the host
// aliases of the ssh_config files.
var hostCommands = []string{"ls", "fetch", "follow", "filter", "top"}

// addShellSupport turns on shell completion (commands and flags from the
// definitions, host aliases for host operands) and adds the hidden
// command that writes the man page and completion scripts.
func addShellSupport(app *cli.App) {
	app.EnableBashCompletion = true
	for _, c := range app.Commands {
		if slices.Contains(hostCommands, c.Name) {
			c.BashComplete = completeHosts(c)
		}
	}
	app.Commands = append(app.Commands, docscmd.Command(1))
}

// completionArgs returns args ready for the app: with options moved
// before operands (intersperse), except when the shell asks for
// completions. Then the completion flag must stay last, and a last word
// that is an option (the one being completed, or one still waiting for
// its value) is left out: urfave/cli v2 crashes on an option it cannot
// parse in completion mode. The completion functions read that word from
// os.Args, which keeps it.
func completionArgs(app *cli.App, args []string) []string {
	n := len(args)
	if n == 0 || args[n-1] != completionFlag {
		return intersperse(app, args)
	}
	if n >= 3 && strings.HasPrefix(args[n-2], "-") {
		return append(slices.Clone(args[:n-2]), completionFlag)
	}
	return args
}

// completeHosts completes a host command's words: options after a dash,
// nothing after an option that takes a value (the shell then completes
// file names), else the host aliases of the ssh_config files (-F).
func completeHosts(cmd *cli.Command) cli.BashCompleteFunc {
	flags := cli.DefaultCompleteWithFlags(cmd)
	return func(c *cli.Context) {
		// urfave/cli hands completion the raw words only through os.Args:
		// … WORD [CURRENT] --generate-bash-completion.
		words := os.Args[1:]
		if n := len(words); n > 0 && words[n-1] == completionFlag {
			words = words[:n-1]
		}
		if n := len(words); n > 0 && strings.HasPrefix(words[n-1], "-") && !wantsValue(cmd.Flags, words[n-1]) && !wantsValue(c.App.Flags, words[n-1]) {
			flags(c)
			return
		}
		if n := len(words); n > 0 && (wantsValue(cmd.Flags, words[n-1]) || wantsValue(c.App.Flags, words[n-1])) {
			return
		}
		for _, h := range sshdial.HostAliases(c.String("config")) {
			fmt.Fprintln(c.App.Writer, h)
		}
	}
}

// wantsValue reports whether the option token t (without "=VALUE") is one
// of flags that takes a value in the next token.
func wantsValue(flags []cli.Flag, t string) bool {
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
