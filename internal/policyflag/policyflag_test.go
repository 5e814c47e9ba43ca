package policyflag

import (
	"reflect"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/policy"
)

// TestRoundTrip: every setting with a flag gets one, and what is given on
// a command line comes back as Values, each value whole and in order.
func TestRoundTrip(t *testing.T) {
	flags := Flags(policy.ScopeProfile, policy.ScopeSource, policy.ScopeServer)
	n := 0
	for _, s := range policy.Settings() {
		if s.Name != "" {
			n++
		}
	}
	if len(flags) != n {
		t.Fatalf("%d flags for %d settings with a flag", len(flags), n)
	}
	var got policy.Values
	app := &cli.App{Flags: flags, Action: func(c *cli.Context) error { got = Values(c); return nil }}
	args := []string{"x", "--log", "a=/var/log/a,b.log", "--log", "b=/b", "--verbs", "cat,ls", "--max-bytes", "7",
		"--trust-symlinks", "--log-format", "a=$remote_addr $status", "--audit-syslog", "--profile", "p"}
	if err := app.Run(args); err != nil {
		t.Fatal(err)
	}
	want := policy.Values{"log": {"a=/var/log/a,b.log", "b=/b"}, "verbs": {"cat,ls"}, "max-bytes": {"7"}, "trust-symlinks": {"true"},
		"log-format": {"a=$remote_addr $status"}, "audit-syslog": {"true"}, "profile": {"p"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Values = %q\nwant     %q", got, want)
	}
	if only := Flags(policy.ScopeServer); len(only) != 2 {
		t.Errorf("server-scope flags: %d, want 2 (--audit-log, --audit-syslog)", len(only))
	}
}
