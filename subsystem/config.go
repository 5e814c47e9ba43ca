package subsystem

import (
	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/policy"
)

// Protocol is the protocol version this package speaks (PROTOCOL.md §7).
const Protocol = 1

// Config is what a session may serve and how. The caller owns it and must
// not change it while sessions run.
type Config struct {
	// Policy names the logs that may be read; nil serves nothing.
	Policy *policy.Policy
	// Version is reported by the version verb.
	Version string
	// Formats gives the format of a log by name (weblog-server
	// --log-format); a log not in it is detected from its first lines.
	Formats map[string]accesslog.Format
}
