package subsystem

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/wire"
)

// handle serves one request line and returns its status. A failed write to
// out means the client is gone; the status then reports an I/O error.
// Every request, refused or not, is reported to cfg.Audit.
func handle(ctx context.Context, cfg *Config, line string, out, errOut io.Writer) wire.Status {
	began := time.Now()
	entry := audit.Entry{Time: began, Request: strings.TrimSuffix(line, "\n")}
	req, err := wire.ParseRequest(line)
	if err == nil {
		entry.Verb, entry.Log = req.Verb, req.Log
		if !cfg.allows(req.Verb) {
			err = wire.Errorf(wire.StatusUnavailable, fmt.Sprintf("%s is not allowed for this key", req.Verb))
		}
	}
	if err != nil {
		framed := strings.Contains(" "+line+" ", " --framed ")
		we := errorFor(err)
		newOutput(framed, out, errOut).fail(we)
		report(cfg, entry, began, 0, we)
		return we.Status
	}
	var zw io.WriteCloser
	if req.Compress != "" {
		if zw, err = newCompressor(out, req.Compress); err != nil {
			we := errorFor(err)
			newOutput(true, out, errOut).fail(we)
			report(cfg, entry, began, 0, we)
			return we.Status
		}
		out = zw
	}
	var bw *batchWriter
	if req.Verb == wire.VerbFilter && !req.Follow {
		bw = newBatchWriter(out)
		out = bw
	}
	m := &meter{output: newOutput(req.Framed, out, errOut), max: cfg.MaxBytes}
	var we *wire.Error
	if err := dispatch(ctx, cfg, req, m); err != nil {
		we = errorFor(err)
		m.fail(we)
	}
	if bw != nil {
		bw.Flush() // a failure means the client left
	}
	if zw != nil {
		zw.Close() // writes what is buffered; a failure means the client left
	}
	report(cfg, entry, began, m.sent.Load(), we)
	if we != nil {
		return we.Status
	}
	return wire.StatusOK
}

// report tells the audit log how a request ended.
func report(cfg *Config, e audit.Entry, began time.Time, sent int64, we *wire.Error) {
	if cfg.Audit == nil {
		return
	}
	e.Bytes, e.Duration, e.Result = sent, time.Since(began), audit.OK
	switch {
	case we == nil:
	case we.Status == wire.StatusUnavailable || we.Status == wire.StatusUsage:
		e.Result, e.Reason = audit.Denied, we.Message
	default:
		e.Result, e.Reason = audit.Error, we.Message
	}
	cfg.Audit(e)
}

// dispatch runs the verb's handler. Handlers write their answer, ending it
// with o.end on success; on failure they return the error and dispatch's
// caller reports it.
func dispatch(ctx context.Context, cfg *Config, req wire.Request, o output) error {
	switch req.Verb {
	case wire.VerbVersion:
		v := wire.VersionInfo{Version: cfg.Version, Protocol: Protocol}
		if err := o.meta(v, fmt.Sprintf("weblog-server %s protocol %d\n", v.Version, v.Protocol)); err != nil {
			return err
		}
		return o.end(wire.End{})
	case wire.VerbLs:
		return ls(cfg, o)
	case wire.VerbStat:
		return stat(cfg, req, o)
	case wire.VerbCat:
		return cat(ctx, cfg, req, o)
	case wire.VerbFollow:
		return follow(ctx, cfg, req, o)
	case wire.VerbFilter:
		return filter(ctx, cfg, req, o)
	}
	// ParseRequest accepts only the verbs above.
	return wire.Errorf(wire.StatusInternal, "verb not implemented: "+req.Verb)
}
