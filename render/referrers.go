package render

import (
	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/wire"
)

// referrers writes "REFERRER --> RESOURCE" for successful hits with a
// referrer, as logged.
type referrers struct{ *common }

func (r *referrers) Render(_ []byte, rec *accesslog.Record, parseErr error) error {
	if parseErr != nil || rec == nil || rec.Status != 200 || !rec.HasReferrer() || rec.Path == nil {
		return nil
	}
	r.buf = append(r.buf, r.prefix...)
	if r.opts.Terminal {
		r.buf = wire.AppendSanitized(r.buf, rec.Referrer)
		r.buf = append(r.buf, " --> "...)
		r.buf = wire.AppendSanitized(r.buf, rec.Path)
	} else {
		r.buf = append(r.buf, rec.Referrer...)
		r.buf = append(r.buf, " --> "...)
		r.buf = append(r.buf, rec.Path...)
	}
	r.buf = append(r.buf, '\n')
	return r.flush()
}
