package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/weblogctl/weblogctl/wire"
)

// MismatchError is a request the server refused as malformed while it
// speaks another protocol version than this client (PROTOCOL.md §7): the
// refusal is most likely the mismatch, not a mistake of the user.
type MismatchError struct {
	Server wire.VersionInfo // what the server's version verb answered
	Err    *wire.Error      // the server's refusal
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("weblog-server %s speaks protocol %d, this client protocol %d (install matching versions on both sides): %v",
		e.Server.Version, e.Server.Protocol, wire.Protocol, e.Err)
}

// Unwrap returns the server's refusal, so its exit status still applies.
func (e *MismatchError) Unwrap() error { return e.Err }

// explainRefusal turns a usage refusal of req into a *MismatchError when
// the server speaks another protocol. It asks `version` only then, so a
// request that succeeds costs no extra round trip. Anything else, and a
// server whose version cannot be learned, leaves err as it is.
func (c *Client) explainRefusal(ctx context.Context, req wire.Request, err error) error {
	var re *wire.Error
	if req.Verb == wire.VerbVersion || !errors.As(err, &re) || re.Status != wire.StatusUsage {
		return err
	}
	v, verr := c.ServerVersion(ctx)
	if verr != nil || v.Protocol == wire.Protocol {
		return err
	}
	return &MismatchError{Server: v, Err: re}
}
