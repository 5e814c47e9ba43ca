package subsystem

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"

	"github.com/weblogctl/weblogctl/wire"
)

// handle serves one request line and returns its status. A failed write to
// out means the client is gone; the status then reports an I/O error.
func handle(ctx context.Context, cfg *Config, line string, out, errOut io.Writer) wire.Status {
	req, err := wire.ParseRequest(line)
	if err != nil {
		framed := strings.Contains(" "+line+" ", " --framed ")
		we := errorFor(err)
		newOutput(framed, out, errOut).fail(we)
		return we.Status
	}
	var zw *zstd.Encoder
	if req.Compress == wire.CompressZstd {
		if zw, err = newCompressor(out); err != nil {
			we := errorFor(err)
			newOutput(true, out, errOut).fail(we)
			return we.Status
		}
		out = zw
	}
	o := newOutput(req.Framed, out, errOut)
	status := wire.StatusOK
	if err := dispatch(ctx, cfg, req, o); err != nil {
		we := errorFor(err)
		o.fail(we)
		status = we.Status
	}
	if zw != nil {
		zw.Close() // writes what is buffered; a failure means the client left
	}
	return status
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
