package render

import (
	"fmt"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/wire"
)

// raw writes lines as they are.
type raw struct{ *common }

func (r *raw) Render(line []byte, _ *accesslog.Record, _ error) error {
	if !r.opts.Terminal && r.prefix == nil {
		if _, err := r.w.Write(line); err != nil {
			return fmt.Errorf("render: %w", err)
		}
		return nil
	}
	r.buf = append(r.buf, r.prefix...)
	body := line
	nl := len(line) > 0 && line[len(line)-1] == '\n'
	if nl {
		body = line[:len(line)-1]
	}
	if r.opts.Terminal {
		r.buf = wire.AppendSanitized(r.buf, body)
	} else {
		r.buf = append(r.buf, body...)
	}
	if nl {
		r.buf = append(r.buf, '\n')
	}
	return r.flush()
}
