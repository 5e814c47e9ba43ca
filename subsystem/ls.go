package subsystem

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// ls answers the ls verb: every log of the policy, in order.
func ls(_ context.Context, ss *session, _ wire.Request, o output) error {
	var listing wire.Listing
	var text strings.Builder
	for _, l := range ss.policy.Logs {
		info := wire.LogInfo{Name: l.Name, Size: -1}
		if f, err := l.Open(); err == nil {
			if st, err := f.Stat(); err == nil {
				info.Size = st.Size()
				info.MTime = st.ModTime().UTC().Format(time.RFC3339)
			}
			f.Close()
		} else {
			info.Unreadable = unreadable(err)
		}
		info.Rotated = rotated(l)
		listing.Logs = append(listing.Logs, info)
		size := "-"
		if info.Size >= 0 {
			size = strconv.FormatInt(info.Size, 10)
		}
		fmt.Fprintf(&text, "%s\t%s\t%s\n", info.Name, size, info.MTime)
	}
	if listing.Logs == nil {
		listing.Logs = []wire.LogInfo{}
	}
	if !ss.id.Until.IsZero() {
		listing.AccessUntil = ss.id.Until.UTC().Format(time.RFC3339)
	}
	if err := o.meta(listing, text.String()); err != nil {
		return err
	}
	return o.end(wire.End{})
}

// stat answers the stat verb.
func stat(_ context.Context, ss *session, req wire.Request, o output) error {
	c, err := openContent(ss, req)
	if err != nil {
		return err
	}
	defer c.close()
	st, err := c.f.Stat()
	if err != nil {
		return unavailable(req.Log)
	}
	info := wire.LogInfo{Name: req.Log, Size: st.Size(), MTime: st.ModTime().UTC().Format(time.RFC3339), ID: c.id}
	if l, err := ss.policy.Lookup(req.Log); err == nil {
		describeLog(ss.formats, l, c, &info)
	}
	text := fmt.Sprintf("name=%s size=%d mtime=%s id=%s\n", info.Name, info.Size, info.MTime, info.ID)
	if err := o.meta(info, text); err != nil {
		return err
	}
	return o.end(wire.End{})
}

// rotated lists the rotated files of l that can be opened, newest first,
// in the order `cat --rotated=N` numbers them.
func rotated(l policy.Log) []wire.RotatedInfo {
	sibs, err := l.Siblings()
	if err != nil {
		return nil
	}
	var out []wire.RotatedInfo
	for _, p := range sibs {
		ri := wire.RotatedInfo{File: filepath.Base(p), Size: -1}
		if f, err := l.OpenRelated(p); err == nil {
			if st, err := f.Stat(); err == nil {
				ri.Size, ri.MTime = st.Size(), st.ModTime().UTC().Format(time.RFC3339)
			}
			f.Close()
		}
		out = append(out, ri)
	}
	return out
}

// unreadable names why a log the policy lists could not be opened, for
// ls (PROTOCOL.md §3.5). It is told only about logs this key is already
// shown by name, so it says nothing about paths outside the policy; a
// request for a log answers "unavailable" whatever the cause, as before.
func unreadable(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "missing"
	case errors.Is(err, fs.ErrPermission):
		return "permission"
	}
	return "refused"
}
