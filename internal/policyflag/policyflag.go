// Package policyflag turns the server settings of policy.Settings into
// urfave/cli flags and reads them back as policy.Values, for the two
// commands that take them: weblog-server (which serves them) and
// weblogctl authorize (which writes them into an authorized_keys line).
// Both therefore take the same flags, spelt and documented once.
package policyflag

import (
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/policy"
)

// Flags returns a flag for each setting that has one and whose scope is
// among scopes, in the order of policy.Settings. Each value is kept whole:
// a comma in a log path is not a separator (lists are split by policy).
func Flags(scopes ...policy.Scope) []cli.Flag {
	var flags []cli.Flag
	for _, s := range policy.Settings() {
		if s.Name == "" || !inScopes(s.Scope, scopes) {
			continue
		}
		if s.Kind == policy.KindSwitch {
			flags = append(flags, &cli.BoolFlag{Name: s.Name, Usage: s.Usage})
			continue
		}
		flags = append(flags, &cli.GenericFlag{Name: s.Name, Usage: s.Usage, Value: &values{}})
	}
	return flags
}

// Values returns the settings given on c's command line, of the flags
// that Flags made.
func Values(c *cli.Context) policy.Values {
	v := policy.Values{}
	for _, s := range policy.Settings() {
		if s.Name == "" || !c.IsSet(s.Name) {
			continue
		}
		if s.Kind == policy.KindSwitch {
			v[s.Name] = []string{strconv.FormatBool(c.Bool(s.Name))}
			continue
		}
		if g, ok := c.Generic(s.Name).(*values); ok && len(g.items) > 0 {
			v[s.Name] = g.items
		}
	}
	return v
}

func inScopes(s policy.Scope, scopes []policy.Scope) bool {
	for _, x := range scopes {
		if x == s {
			return true
		}
	}
	return false
}

// values is a flag's values in the order given.
type values struct{ items []string }

func (l *values) Set(s string) error { l.items = append(l.items, s); return nil }
func (l *values) String() string     { return strings.Join(l.items, " ") }
