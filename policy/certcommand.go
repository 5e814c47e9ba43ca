package policy

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
)

// SplitCommand splits a command line as weblogctl authorize writes it
// (for command= and a certificate's force-command) into its words,
// without a shell: words are separated by spaces, and each is made of
// runs of characters no shell treats specially ([A-Za-z0-9_@%+=:,./-]),
// single-quoted runs ('…', holding no single quote) and \' (an escaped
// single quote). Anything else a shell would interpret — double quotes,
// $, `, ;, |, &, other backslashes, globs, tabs, control characters — is
// refused rather than guessed at: the embedded server reads a
// certificate's forced command with it and must never disagree with a
// shell about what a word is.
func SplitCommand(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("command line: unterminated single quote at byte %d", i)
			}
			quoted := line[i+1 : i+1+j]
			if err := certText("command line", quoted); err != nil {
				return nil, err
			}
			w.WriteString(quoted)
			inWord = true
			i += j + 1
		case c == '\\':
			if i+1 >= len(line) || line[i+1] != '\'' {
				return nil, fmt.Errorf("command line: backslash at byte %d not before a single quote", i)
			}
			w.WriteByte('\'')
			inWord = true
			i++
		case shellSafe(c):
			w.WriteByte(c)
			inWord = true
		default:
			return nil, fmt.Errorf("command line: %s at byte %d outside single quotes", strconv.QuoteRuneToASCII(rune(c)), i)
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	if len(words) == 0 {
		return nil, errors.New("command line: empty")
	}
	return words, nil
}

// shellSafe reports whether c means itself to every POSIX shell, outside
// quotes, anywhere in a word.
func shellSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_@%+=:,./-", c) >= 0
}

// ServerName is the base name of the weblog-server binary, which a
// forced command must run.
const ServerName = "weblog-server"

// ProfileFromCommand returns the profile that a forced command line (a
// certificate's force-command, as weblogctl authorize --ca writes it)
// gives: the line is split by SplitCommand, its first word must be an
// absolute path to weblog-server, and the rest are weblog-server's
// profile flags (--log, --log-format, --verbs, --redact, --max-bytes,
// --max-follow, --max-sessions, --idle-timeout, --trust-symlinks,
// --profile), each scalar flag at most once. Nothing is run. Flags that
// reach outside the profile — --policy (a file on the host), --audit-log
// and --audit-syslog (where audit records go) — are refused: the server
// that reads the command keeps its own.
func ProfileFromCommand(line string) (*Profile, error) {
	argv, err := SplitCommand(line)
	if err != nil {
		return nil, err
	}
	if !path.IsAbs(argv[0]) || path.Base(argv[0]) != ServerName {
		return nil, fmt.Errorf("forced command %q: does not run %s by its absolute path", argv[0], ServerName)
	}
	var f Flags
	fs := flag.NewFlagSet(ServerName, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var((*listFlag)(&f.Logs), "log", "")
	fs.Var((*listFlag)(&f.LogFormats), "log-format", "")
	fs.Var((*listFlag)(&f.Verbs), "verbs", "")
	fs.Var((*listFlag)(&f.Redact), "redact", "")
	fs.Var(&onceFlag{set: func(s string) error { f.Name = s; return nil }}, "profile", "")
	fs.Var(&onceFlag{set: func(s string) (err error) { f.MaxBytes, err = strconv.ParseInt(s, 10, 64); return err }}, "max-bytes", "")
	fs.Var(&onceFlag{set: func(s string) (err error) { f.MaxSessions, err = strconv.Atoi(s); return err }}, "max-sessions", "")
	fs.Var(&onceFlag{set: func(s string) (err error) { f.MaxFollow, err = time.ParseDuration(s); return err }}, "max-follow", "")
	fs.Var(&onceFlag{set: func(s string) (err error) { f.IdleTimeout, err = time.ParseDuration(s); return err }}, "idle-timeout", "")
	fs.Var(&onceFlag{bool: true, set: func(s string) (err error) { f.TrustSymlinks, err = strconv.ParseBool(s); return err }}, "trust-symlinks", "")
	for _, name := range []string{"policy", "audit-log", "audit-syslog"} {
		fs.Var(&onceFlag{bool: name == "audit-syslog", set: func(string) error {
			return fmt.Errorf("not allowed in a forced command read by this server (it keeps its own)")
		}}, name, "")
	}
	if err := fs.Parse(argv[1:]); err != nil {
		return nil, fmt.Errorf("forced command: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("forced command: unexpected argument %q", fs.Arg(0))
	}
	p, err := ProfileFromFlags(f)
	if err != nil {
		return nil, fmt.Errorf("forced command: %w", err)
	}
	return p, nil
}

// listFlag is a repeatable flag.Value.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// onceFlag is a flag.Value that may be set once.
type onceFlag struct {
	set  func(string) error
	done bool
	bool bool
}

func (o *onceFlag) String() string   { return "" }
func (o *onceFlag) IsBoolFlag() bool { return o.bool }
func (o *onceFlag) Set(s string) error {
	if o.done {
		return errors.New("given twice")
	}
	o.done = true
	return o.set(s)
}
