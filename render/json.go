package render

import (
	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/weblogctl/weblogctl/accesslog"
)

// jsonRenderer writes one JSON object per line.
type jsonRenderer struct {
	*common
	scratch []byte
}

func (j *jsonRenderer) Render(line []byte, rec *accesslog.Record, parseErr error) error {
	b := append(j.buf[:0], '{')
	if j.opts.Label != "" {
		b = append(b, `"host":`...)
		b = appendJSONString(b, []byte(j.opts.Label))
		b = append(b, ',')
	}
	if parseErr != nil || rec == nil {
		raw := trimEOL(line)
		b = append(b, `"raw":`...)
		b = appendJSONString(b, raw)
		msg := "not parsed"
		if parseErr != nil {
			msg = parseErr.Error()
		}
		b = append(b, `,"error":`...)
		b = appendJSONString(b, []byte(msg))
		if !utf8.Valid(raw) {
			b = append(b, `,"raw_base64":"`...)
			b = base64.StdEncoding.AppendEncode(b, raw)
			b = append(b, '"')
		}
	} else {
		b = j.str(b, `"remote_addr":`, rec.RemoteAddr, rec)
		b = j.str(b, `,"user":`, rec.User, rec)
		b = append(b, `,"time":`...)
		if rec.Time.IsZero() {
			b = append(b, "null"...)
		} else {
			b = append(b, '"')
			b = rec.Time.AppendFormat(b, time.RFC3339Nano)
			b = append(b, '"')
		}
		b = j.str(b, `,"method":`, rec.Method, rec)
		b = j.str(b, `,"path":`, rec.Path, rec)
		b = j.str(b, `,"protocol":`, rec.Protocol, rec)
		b = append(b, `,"status":`...)
		if rec.Status == 0 {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, int64(rec.Status), 10)
		}
		b = append(b, `,"bytes":`...)
		if rec.Bytes < 0 {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, rec.Bytes, 10)
		}
		b = j.str(b, `,"referrer":`, rec.Referrer, rec)
		b = j.str(b, `,"user_agent":`, rec.UserAgent, rec)
		if rec.VHost != nil {
			b = j.str(b, `,"vhost":`, rec.VHost, rec)
		}
		if rec.Port != nil {
			b = j.str(b, `,"port":`, rec.Port, rec)
		}
		if rec.ForwardedFor != nil {
			b = j.str(b, `,"forwarded_for":`, rec.ForwardedFor, rec)
		}
		if rec.Duration >= 0 {
			b = append(b, `,"duration":`...)
			b = strconv.AppendFloat(b, rec.Duration.Seconds(), 'f', -1, 64)
		}
		if rec.Request != nil && rec.Method == nil {
			b = j.str(b, `,"request":`, rec.Request, rec)
		}
		if rec.Partial {
			b = append(b, `,"partial":true`...)
		}
	}
	j.buf = append(b, '}', '\n')
	return j.flush()
}

// str appends key and the decoded field as a JSON string, or null.
func (j *jsonRenderer) str(b []byte, key string, field []byte, rec *accesslog.Record) []byte {
	b = append(b, key...)
	if field == nil {
		return append(b, "null"...)
	}
	j.scratch = rec.Escaping.AppendDecoded(j.scratch[:0], field)
	return appendJSONString(b, j.scratch)
}
