package policy

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/weblogctl/weblogctl/wire"
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
			if err := CheckText("command line", quoted); err != nil {
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
// weblog-server, and the rest are weblog-server's settings as
// Profile.Args writes them (ParseArgs: --NAME VALUE, --SWITCH), a
// setting of one value at most once. Nothing is run. --policy (a file on
// the host) is refused; --audit-log and --audit-syslog only set Audit:
// where audit records go is the reader's own choice, not the command's.
func ParseForcedCommand(line string) (ForcedCommand, error) {
	argv, err := SplitCommand(line)
	if err != nil {
		return ForcedCommand{}, err
	}
	if !path.IsAbs(argv[0]) || path.Base(argv[0]) != wire.ServerName {
		return ForcedCommand{}, fmt.Errorf("forced command %q: does not run %s by its absolute path", argv[0], wire.ServerName)
	}
	v, err := ParseArgs(argv[1:])
	if err != nil {
		return ForcedCommand{}, fmt.Errorf("forced command: %w", err)
	}
	for _, s := range Settings() {
		if (s.Kind == KindValue || s.Kind == KindSwitch) && len(v[s.Name]) > 1 {
			return ForcedCommand{}, fmt.Errorf("forced command: --%s given twice", s.Name)
		}
	}
	if _, ok := v["policy"]; ok {
		return ForcedCommand{}, errors.New("forced command: --policy is not allowed in a forced command read by this server (a file on the host)")
	}
	fc := ForcedCommand{Audit: len(v.Given(ScopeServer)) > 0}
	if fc.Profile, err = ProfileFromFlags(v); err != nil {
		return ForcedCommand{}, fmt.Errorf("forced command: %w", err)
	}
	return fc, nil
}
