package render

import (
	"bytes"
	"strconv"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/wire"
)

// ANSI SGR sequences for pretty output.
const (
	sgrReset   = "\x1b[0m"
	sgrDim     = "\x1b[2m"
	sgrGreen   = "\x1b[32m"
	sgrCyan    = "\x1b[36m"
	sgrYellow  = "\x1b[33m"
	sgrRed     = "\x1b[31m"
	sgrMagenta = "\x1b[35m"
)

const (
	prettyTime     = "2006-01-02 15:04:05 -0700"
	methodWidth    = 7
	sizeWidth      = 6
	maxReferrerLen = 48 // bytes of a referrer shown, after its scheme
)

// pretty writes aligned, optionally coloured lines for people.
type pretty struct {
	*common
}

func (p *pretty) Render(line []byte, rec *accesslog.Record, parseErr error) error {
	b := append(p.buf[:0], p.prefix...)
	if parseErr != nil || rec == nil {
		b = wire.AppendSanitized(b, trimEOL(line))
		p.buf = append(b, '\n')
		return p.flush()
	}
	// Time.
	b = p.color(b, sgrDim)
	if rec.Time.IsZero() {
		b = append(b, "                         "[:len(prettyTime)]...)
	} else {
		b = rec.Time.AppendFormat(b, prettyTime)
	}
	b = p.color(b, sgrReset)
	b = append(b, ' ')
	// Status.
	b = p.color(b, statusColor(rec.Status))
	if rec.Status == 0 {
		b = append(b, "---"...)
	} else {
		n := len(b)
		b = strconv.AppendInt(b, int64(rec.Status), 10)
		for len(b)-n < 3 {
			b = append(b, ' ')
		}
	}
	b = p.color(b, sgrReset)
	b = append(b, ' ')
	// Method.
	n := len(b)
	if rec.Method == nil {
		b = append(b, '-')
	} else {
		b = wire.AppendSanitized(b, rec.Method)
	}
	for len(b)-n < methodWidth {
		b = append(b, ' ')
	}
	b = append(b, ' ')
	// Size, right-aligned.
	b = appendSize(b, rec.Bytes)
	b = append(b, ' ')
	// Path, or the whole request when it has no method and path.
	switch {
	case rec.Path != nil:
		b = wire.AppendSanitized(b, rec.Path)
	case rec.Request != nil:
		b = wire.AppendSanitized(b, rec.Request)
	default:
		b = append(b, '-')
	}
	if rec.HasReferrer() {
		b = append(b, "  <- "...)
		b = p.color(b, sgrDim)
		ref, cut := shortReferrer(rec.Referrer)
		b = wire.AppendSanitized(b, ref)
		if cut {
			b = append(b, "..."...)
		}
		b = p.color(b, sgrReset)
	}
	p.buf = append(b, '\n')
	return p.flush()
}

func (p *pretty) color(b []byte, sgr string) []byte {
	if !p.opts.Color {
		return b
	}
	return append(b, sgr...)
}

func statusColor(s int) string {
	switch {
	case s >= 200 && s < 300:
		return sgrGreen
	case s >= 300 && s < 400:
		return sgrCyan
	case s >= 400 && s < 500:
		return sgrYellow
	case s >= 500 && s < 600:
		return sgrRed
	}
	return sgrMagenta
}

// appendSize appends n bytes in at most sizeWidth columns, right-aligned:
// 512, 1.5K, 20K, 3.1M; "-" when not logged.
func appendSize(b []byte, n int64) []byte {
	var tmp [24]byte
	s := tmp[:0]
	switch {
	case n < 0:
		s = append(s, '-')
	case n < 1024:
		s = strconv.AppendInt(s, n, 10)
	default:
		v, unit := float64(n), 0
		for v >= 1024 && unit < 5 {
			v /= 1024
			unit++
		}
		if v < 9.95 {
			s = strconv.AppendFloat(s, v, 'f', 1, 64)
		} else {
			s = strconv.AppendInt(s, int64(v+0.5), 10)
		}
		s = append(s, " KMGTP"[unit])
	}
	for i := len(s); i < sizeWidth; i++ {
		b = append(b, ' ')
	}
	return append(b, s...)
}

// shortReferrer drops the scheme of a referrer and cuts it to
// maxReferrerLen bytes, at a UTF-8 boundary; cut reports whether it did.
func shortReferrer(r []byte) (short []byte, cut bool) {
	if i := bytes.Index(r, []byte("://")); i > 0 && i <= 5 {
		r = r[i+3:]
	}
	if len(r) <= maxReferrerLen {
		return r, false
	}
	n := maxReferrerLen
	for n > 0 && r[n]&0xc0 == 0x80 {
		n--
	}
	return r[:n], true
}
