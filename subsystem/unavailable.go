package subsystem

import (
	"fmt"
	"os"
	"strconv"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// unavailable is the one answer for a log that does not exist, may not be
// read, or cannot be opened: the client cannot tell these apart
// (PROTOCOL.md §5, status 3).
func unavailable(name string) *wire.Error {
	return wire.Errorf(wire.StatusUnavailable, fmt.Sprintf("log %s: no such log, or not allowed", strconv.QuoteToASCII(name)))
}

// openLog looks name up in the policy and opens its live file.
func openLog(cfg *Config, name string) (policy.Log, *os.File, error) {
	l, err := cfg.Policy.Lookup(name)
	if err != nil {
		return policy.Log{}, nil, unavailable(name)
	}
	f, err := l.Open()
	if err != nil {
		return policy.Log{}, nil, unavailable(name)
	}
	return l, f, nil
}
