package subsystem

import (
	"fmt"
	"strconv"

	"github.com/weblogctl/weblogctl/wire"
)

// unavailable is the one answer for a log that does not exist, may not be
// read, or cannot be opened: the client cannot tell these apart
// (PROTOCOL.md §5, status 3).
func unavailable(name string) *wire.Error {
	return wire.Errorf(wire.StatusUnavailable, fmt.Sprintf("log %s: no such log, or not allowed", strconv.QuoteToASCII(name)))
}
