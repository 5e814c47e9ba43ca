package client

import (
	"context"

	"github.com/weblogctl/weblogctl/wire"
)

// List returns the logs this key may read, in the server's order.
func (c *Client) List(ctx context.Context) ([]wire.LogInfo, error) {
	l, err := c.Listing(ctx)
	return l.Logs, err
}

// Listing returns the whole answer to ls: the logs and, when the server
// knows it, until when this access is valid.
func (c *Client) Listing(ctx context.Context) (wire.Listing, error) {
	var l wire.Listing
	_, err := c.request(ctx, wire.Request{Verb: wire.VerbLs}, 0, func(f wire.Frame) error {
		if f.Type == wire.FrameMeta {
			return f.Decode(&l)
		}
		return nil
	})
	return l, err
}

// Stat describes one log.
func (c *Client) Stat(ctx context.Context, log string) (wire.LogInfo, error) {
	var info wire.LogInfo
	_, err := c.request(ctx, wire.Request{Verb: wire.VerbStat, Log: log}, 0, func(f wire.Frame) error {
		if f.Type == wire.FrameMeta {
			return f.Decode(&info)
		}
		return nil
	})
	return info, err
}

// ServerVersion returns the server's version and protocol number.
func (c *Client) ServerVersion(ctx context.Context) (wire.VersionInfo, error) {
	var v wire.VersionInfo
	_, err := c.request(ctx, wire.Request{Verb: wire.VerbVersion}, 0, func(f wire.Frame) error {
		if f.Type == wire.FrameMeta {
			return f.Decode(&v)
		}
		return nil
	})
	return v, err
}
