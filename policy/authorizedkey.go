package policy

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxKeyLine is the longest authorized_keys line KeyLine.Marshal makes;
// sshd reads longer ones, but a line this long is a mistake (a policy
// file is the place for a large policy).
const MaxKeyLine = 8192

// KeyLine is one authorized_keys line that lets a key run exactly one
// command: restrict,command="…"[,from="…"][,expiry-time="…"] KEY.
type KeyLine struct {
	// Command is the forced command's argv; Marshal quotes it for a
	// POSIX shell (sshd runs it as $SHELL -c) and then for sshd.
	Command []string
	// From are from= patterns (CIDRs, addresses or host name patterns
	// with * and ?, ! to negate); each item may be a comma-separated
	// list. None: from anywhere.
	From []string
	// Expires, when not zero, is when sshd stops accepting the key
	// (expiry-time=).
	Expires time.Time
	// Key is the public key as in KEY.pub: "TYPE BASE64 [COMMENT]",
	// already checked by the caller, without options or a line end.
	Key string
}

// Marshal returns the line, without its line ending. It refuses control
// characters and invalid UTF-8 anywhere (a line break would start
// another line), an empty command, bad from= patterns and lines over
// MaxKeyLine bytes.
func (k KeyLine) Marshal() (string, error) {
	if len(k.Command) == 0 {
		return "", errors.New("authorized_keys line: no command")
	}
	for _, w := range k.Command {
		if err := CheckText("command word", w); err != nil {
			return "", err
		}
	}
	if err := CheckText("key", k.Key); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("restrict,command=")
	b.WriteString(optionQuote(ShellJoin(k.Command)))
	if len(k.From) > 0 {
		from, err := fromPatterns(k.From)
		if err != nil {
			return "", err
		}
		b.WriteString(",from=")
		b.WriteString(optionQuote(from))
	}
	if !k.Expires.IsZero() {
		// sshd reads YYYYMMDD[HHMM[SS]], with a Z for UTC.
		b.WriteString(",expiry-time=")
		b.WriteString(optionQuote(FormatExpiryTime(k.Expires)))
	}
	b.WriteString(" ")
	b.WriteString(k.Key)
	if b.Len() > MaxKeyLine {
		return "", fmt.Errorf("the line would be %d bytes long, more than %d: use a policy file (--policy)", b.Len(), MaxKeyLine)
	}
	return b.String(), nil
}

// CheckText refuses invalid UTF-8 and control characters (line and
// paragraph separators included): they have no place in an
// authorized_keys line or a command line. what names s in the error.
func CheckText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q: not valid UTF-8", what, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%s %q: holds the control character %U", what, s, r)
		}
	}
	return nil
}

// ShellJoin joins argv into a command line for a POSIX shell (sh, dash,
// bash, ksh, zsh), each word quoted by ShellQuote: what sshd's command=
// (and a certificate's force-command) hand to $SHELL -c.
func ShellJoin(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = ShellQuote(a)
	}
	return strings.Join(words, " ")
}

// ShellQuote quotes s as one word for a POSIX shell: as it is if it holds
// only characters no shell treats specially, else single-quoted (a single
// quote inside ends the quoting, is written as \', and starts it again).
func ShellQuote(s string) string {
	safe := s != ""
	for i := 0; safe && i < len(s); i++ {
		c := s[i]
		safe = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_@%+=:,./-", c) >= 0
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// optionQuote quotes s as the value of an authorized_keys option. sshd
// (auth-options.c, opt_dequote) turns \" into " and copies every other
// byte, backslashes included, as it is; so only " is escaped. s must not
// end with a backslash, which would escape the closing quote: ShellJoin's
// output ends with a safe character or a quote, and the other values
// are checked patterns and digits.
func optionQuote(s string) string {
	if strings.HasSuffix(s, `\`) {
		panic("optionQuote: value ends with a backslash")
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// fromPatterns checks and joins from= values: each item is a CIDR (host
// bits zero, as sshd requires), an address, or a host name pattern with *
// and ?, optionally negated with a leading !.
func fromPatterns(values []string) (string, error) {
	var items []string
	for _, v := range values {
		for _, it := range strings.Split(v, ",") {
			pat := strings.TrimPrefix(it, "!")
			switch {
			case pat == "":
				return "", fmt.Errorf("--from %q: empty pattern", v)
			case strings.Contains(pat, "/"):
				p, err := netip.ParsePrefix(pat)
				if err != nil {
					return "", fmt.Errorf("--from %q: %q is not a CIDR address/length", v, pat)
				}
				if p != p.Masked() {
					return "", fmt.Errorf("--from %q: %s has host bits set; sshd refuses it (did you mean %s?)", v, pat, p.Masked())
				}
			default:
				for i := 0; i < len(pat); i++ {
					c := pat[i]
					if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_:*?", c) >= 0) {
						return "", fmt.Errorf("--from %q: %q is not an address, CIDR or host name pattern", v, pat)
					}
				}
			}
			items = append(items, it)
		}
	}
	return strings.Join(items, ","), nil
}
