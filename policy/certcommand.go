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

// ForcedCommand is what a forced command line gives a server that reads
// it instead of running it: the profile, and whether the command asks for
// its requests to be audited.
type ForcedCommand struct {
	// Profile is the profile its flags describe.
	Profile *Profile
	// Audit reports --audit-log or --audit-syslog: the reader must audit
	// the requests (to its own audit log) or refuse the command.
	Audit bool
}

// ParseForcedCommand reads a forced command line (a certificate's
// force-command, as weblogctl authorize --ca writes it): the line is
// split by SplitCommand, its first word must be an absolute path to
// weblog-server, and the rest are weblog-server's profile flags (--log,
// --log-format, --verbs, --redact, --max-bytes, --max-follow,
// --max-sessions, --idle-timeout, --trust-symlinks, --profile), each
// scalar flag at most once. Nothing is run. --policy (a file on the
// host) is refused; --audit-log and --audit-syslog only set Audit: where
// audit records go is the reader's own choice, not the command's.
func ParseForcedCommand(line string) (ForcedCommand, error) {
	argv, err := SplitCommand(line)
	if err != nil {
		return ForcedCommand{}, err
	}
	if !path.IsAbs(argv[0]) || path.Base(argv[0]) != ServerName {
		return ForcedCommand{}, fmt.Errorf("forced command %q: does not run %s by its absolute path", argv[0], ServerName)
	}
	var f Flags
	var fc ForcedCommand
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
	fs.Var(&onceFlag{set: func(string) error {
		return errors.New("not allowed in a forced command read by this server (a file on the host)")
	}}, "policy", "")
	fs.Var(&onceFlag{set: func(s string) error { fc.Audit = true; return nil }}, "audit-log", "")
	fs.Var(&onceFlag{bool: true, set: func(s string) error { fc.Audit = fc.Audit || s == "true"; return nil }}, "audit-syslog", "")
	if err := fs.Parse(argv[1:]); err != nil {
		return ForcedCommand{}, fmt.Errorf("forced command: %w", err)
	}
	if fs.NArg() > 0 {
		return ForcedCommand{}, fmt.Errorf("forced command: unexpected argument %q", fs.Arg(0))
	}
	if fc.Profile, err = ProfileFromFlags(f); err != nil {
		return ForcedCommand{}, fmt.Errorf("forced command: %w", err)
	}
	return fc, nil
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
