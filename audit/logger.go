package audit

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxField is the longest value, in bytes, an audit line holds; longer
// values are cut and marked with "...".
const MaxField = 512

// Logger writes audit lines to an io.Writer. It is safe for concurrent
// use; a nil Logger records nothing.
type Logger struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

// New returns a Logger writing to w, one Write per line. For a file, open
// it with OpenFile.
func New(w io.Writer) *Logger {
	return &Logger{w: w}
}

// Log writes e as one line. An error means the line was not recorded.
func (l *Logger) Log(e Entry) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = AppendLine(l.buf[:0], e)
	_, err := l.w.Write(l.buf)
	return err
}

// AppendLine appends e, formatted as an audit line with its "\n", to dst.
func AppendLine(dst []byte, e Entry) []byte {
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	dst = t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	dst = appendField(dst, "profile", e.Profile)
	dst = appendField(dst, "key", e.Key)
	dst = appendField(dst, "client", e.Client)
	dst = appendField(dst, "verb", e.Verb)
	dst = appendField(dst, "log", e.Log)
	dst = append(dst, " bytes="...)
	dst = strconv.AppendInt(dst, e.Bytes, 10)
	dst = append(dst, " duration="...)
	dst = strconv.AppendFloat(dst, e.Duration.Seconds(), 'f', 3, 64)
	dst = append(dst, 's')
	dst = appendField(dst, "result", string(e.Result))
	dst = appendField(dst, "reason", e.Reason)
	dst = appendField(dst, "request", e.Request)
	if e.Cert != nil {
		dst = appendField(dst, "cert_id", e.Cert.ID)
		dst = append(dst, " cert_serial="...)
		dst = strconv.AppendUint(dst, e.Cert.Serial, 10)
	}
	return append(dst, '\n')
}

// appendField appends " name=value", value bare or quoted (see the
// package documentation).
func appendField(dst []byte, name, value string) []byte {
	dst = append(dst, ' ')
	dst = append(dst, name...)
	dst = append(dst, '=')
	if len(value) > MaxField {
		cut := MaxField
		for cut > MaxField-utf8.UTFMax && !utf8.RuneStart(value[cut]) {
			cut--
		}
		value = value[:cut] + "..."
	}
	if isBare(value) {
		return append(dst, value...)
	}
	return strconv.AppendQuoteToASCII(dst, value)
}

// isBare reports whether s can be written without quotes.
func isBare(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') &&
			c != '.' && c != '_' && c != ':' && c != '/' && c != '@' && c != '+' && c != ',' && c != '-' && c != '[' && c != ']' {
			return false
		}
	}
	return true
}
