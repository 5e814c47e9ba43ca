package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/wire"
)

// Filter streams the lines of log, as it is now, that spec selects. The
// server applies the filter, so only those lines cross the network. emit
// receives whole lines (the slice is reused after emit returns).
func (c *Client) Filter(ctx context.Context, log string, spec accesslog.FilterSpec, emit func(lines []byte) error) error {
	return c.filter(ctx, log, 0, spec, emit)
}

// FilterHistory is Filter over the log's whole history: its rotated files,
// oldest first, then the live file.
func (c *Client) FilterHistory(ctx context.Context, log string, spec accesslog.FilterSpec, emit func(lines []byte) error) error {
	info, err := c.logInfo(ctx, log)
	if err != nil {
		return err
	}
	for n := len(info.Rotated); n >= 0; n-- {
		if err := c.filter(ctx, log, n, spec, emit); err != nil {
			return err
		}
	}
	return nil
}

// filter runs one filter request on the live file (rotated 0) or the Nth
// newest rotated one.
func (c *Client) filter(ctx context.Context, log string, rotated int, spec accesslog.FilterSpec, emit func(lines []byte) error) error {
	spec, err := wireFilter(spec)
	if err != nil {
		return err
	}
	req := wire.Request{Verb: wire.VerbFilter, Log: log, Filter: spec, Rotated: rotated, Compress: c.compressionFor()}
	_, err = c.request(ctx, req, 0, func(f wire.Frame) error {
		if f.Type != wire.FrameData && f.Type != wire.FrameRedacted {
			return nil
		}
		_, _, data, err := lineData(f)
		if err != nil {
			return err
		}
		return emit(data)
	})
	return err
}

// regexpOptions are the filter options whose values are RE2 patterns.
var regexpOptions = map[string]bool{"path": true, "not-path": true, "referrer": true, "not-referrer": true,
	"ua": true, "not-ua": true, "grep": true, "not-grep": true}

// wireFilter makes spec fit the request grammar, where a word holds no
// space (PROTOCOL.md §2.1): in a regular expression a space becomes \x20,
// which matches the same; in any other value it is an error.
func wireFilter(spec accesslog.FilterSpec) (accesslog.FilterSpec, error) {
	var out accesslog.FilterSpec
	for _, a := range spec.Args() {
		name, value, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if strings.ContainsRune(value, ' ') {
			if !regexpOptions[name] {
				return accesslog.FilterSpec{}, fmt.Errorf("--%s %q: spaces are not allowed here", name, value)
			}
			value = strings.ReplaceAll(value, " ", `\x20`)
		}
		if err := out.Set(name, value); err != nil {
			return accesslog.FilterSpec{}, err
		}
	}
	return out, nil
}
