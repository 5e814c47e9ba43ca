package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/internal/docscmd"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// completionFlag is the flag urfave/cli's completion scripts append to
// the words typed so far; the program answers with the candidates.
const completionFlag = "--generate-bash-completion"

// hostCommands take host operands, so their completion offers the host
// aliases of the ssh_config files.
var hostCommands = []string{"ls", "fetch", "follow", "filter", "stats", "top", "doctor"}

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
		if ops := operands(cmd, c.App, words); len(ops) == 1 && slices.Contains(logCommands, cmd.Name) {
			// HOST given: the second operand is a LOG of that host (or,
			// when it cannot be asked, another host).
			if names := logNames(c, ops[0]); len(names) > 0 {
				for _, name := range names {
					fmt.Fprintln(c.App.Writer, name)
				}
				return
			}
		}
		for _, h := range sshdial.HostAliases(c.String("config")) {
			fmt.Fprintln(c.App.Writer, h)
		}
	}
}

// logCommands take HOST LOG operands, so a word after the host completes
// to the host's log names.
var logCommands = []string{"fetch", "follow", "filter", "stats"}

// completionTimeout bounds the connection that lists a host's logs while
// the user waits at a prompt.
const completionTimeout = 3 * time.Second

// logNames returns the logs host lets this key read, asking nothing: no
// prompt for a passphrase or an unknown host key (those keys and hosts
// give no names), and nothing after completionTimeout.
func logNames(c *cli.Context, host string) []string {
	ctx, cancel := context.WithTimeout(c.Context, completionTimeout)
	defer cancel()
	cfg := dialConfig(c, io.Discard)
	cfg.Prompter, cfg.Debug = nil, nil
	conn, err := sshdial.Dial(ctx, host, cfg)
	if err != nil {
		return nil
	}
	defer conn.Close()
	logs, err := client.New(conn).List(ctx)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(logs))
	for _, l := range logs {
		if wire.Sanitize(l.Name) == l.Name { // a name the shell can take as it is
			names = append(names, l.Name)
		}
	}
	return names
}

// operands returns the words after cmd's name in words that are neither
// options nor their values.
func operands(cmd *cli.Command, app *cli.App, words []string) []string {
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
			if (wantsValue(cmd.Flags, w) || wantsValue(app.Flags, w)) && len(rest) > 1 {
				rest = rest[1:]
			}
		default:
			ops = append(ops, w)
		}
	}
	return ops
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
