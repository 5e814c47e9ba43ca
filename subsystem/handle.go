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
// Every request, refused or not, is audited.
func (ss *session) handle(ctx context.Context, line string, out, errOut io.Writer) wire.Status {
	began := time.Now()
	entry := audit.Entry{Time: began, Request: strings.TrimSuffix(line, "\n")}
	req, err := wire.ParseRequest(line)
	if err == nil {
		entry.Verb, entry.Log = req.Verb, req.Log
		if !ss.allows(req.Verb) {
			err = unavailableVerb(req.Verb)
		}
	}
	if err != nil {
		framed := strings.Contains(" "+line+" ", " --framed ")
		we := errorFor(err)
		newOutput(framed, out, errOut).fail(we)
		ss.report(entry, began, 0, we)
		return we.Status
	}
	var zw io.WriteCloser
	if req.Compress != "" {
		newZ := newCompressor
		if req.Stats.Every > 0 {
			newZ = newFollowingCompressor
		}
		if zw, err = newZ(out, req.Compress); err != nil {
			we := errorFor(err)
			newOutput(true, out, errOut).fail(we)
			ss.report(entry, began, 0, we)
			return we.Status
		}
		out = zw
	}
	var bw *batchWriter
	if req.Verb == wire.VerbFilter && !req.Follow {
		bw = newBatchWriter(out)
		out = bw
	}
	m := &meter{output: newOutput(req.Framed, out, errOut), max: ss.profile.MaxBytes}
	var we *wire.Error
	if err := handlerFor(req.Verb)(ctx, ss, req, m); err != nil {
		we = errorFor(err)
		m.fail(we)
	}
	if bw != nil {
		bw.Flush() // a failure means the client left
	}
	if zw != nil {
		zw.Close() // writes what is buffered; a failure means the client left
	}
	ss.report(entry, began, m.sent.Load(), we)
	if we != nil {
		return we.Status
	}
	return wire.StatusOK
}

// report tells the audit log how a request ended.
func (ss *session) report(e audit.Entry, began time.Time, sent int64, we *wire.Error) {
	e.Bytes, e.Duration, e.Result = sent, time.Since(began), audit.OK
	switch {
	case we == nil:
	case we.Status == wire.StatusUnavailable || we.Status == wire.StatusUsage:
		e.Result, e.Reason = audit.Denied, we.Message
	default:
		e.Result, e.Reason = audit.Error, we.Message
	}
	ss.audit(ss.id, e)
}

// handler answers one verb. Handlers write their answer, ending it with
// o.end on success; on failure they return the error and the caller
// reports it.
type handler func(ctx context.Context, ss *session, req wire.Request, o output) error

// handlerFor returns the handler of verb, one of the verbs that
// wire.ParseRequest accepts.
func handlerFor(verb string) handler {
	switch verb {
	case wire.VerbVersion:
		return version
	case wire.VerbLs:
		return ls
	case wire.VerbStat:
		return stat
	case wire.VerbCat:
		return cat
	case wire.VerbFollow:
		return follow
	case wire.VerbFilter:
		return filter
	case wire.VerbStats:
		return stats
	}
	return func(context.Context, *session, wire.Request, output) error {
		return wire.Errorf(wire.StatusInternal, "verb not implemented: "+verb)
	}
}

// version answers the version verb.
func version(_ context.Context, ss *session, _ wire.Request, o output) error {
	v := versionInfo(ss.opts.Version, ss.opts.Started, time.Now())
	if err := o.meta(v, fmt.Sprintf("weblog-server %s protocol %d\n", v.Version, v.Protocol)); err != nil {
		return err
	}
	return o.end(wire.End{})
}
