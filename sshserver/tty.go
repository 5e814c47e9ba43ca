package sshserver

import (
	"io"
	"unicode/utf8"
)

// ttyWriter makes output fit for a terminal on the client's side, for
// sessions that asked for a pty. A real pty would turn LF into CR LF
// (onlcr); without that, lines staircase across the screen once ssh puts
// the local terminal in raw mode. And a terminal must not receive log
// bytes raw (SECURITY.md item 18): control characters other than tab, C1
// controls and invalid UTF-8 are written as \xHH, the way web servers
// escape such bytes in their logs, so a log line cannot move the cursor,
// retitle the window or answer back. CR LF is treated as LF.
type ttyWriter struct {
	w      io.Writer
	carry  []byte // the end of the last Write: an incomplete rune, or CR
	buf    []byte
	failed error
}

func newTTYWriter(w io.Writer) *ttyWriter { return &ttyWriter{w: w} }

// Write converts p and writes it in one Write to the underlying writer.
// An incomplete UTF-8 sequence at the end of p is held until the next
// Write or Flush.
func (t *ttyWriter) Write(p []byte) (int, error) {
	if t.failed != nil {
		return 0, t.failed
	}
	data := p
	if len(t.carry) > 0 {
		data = append(t.carry, p...)
		t.carry = nil
	}
	b := t.buf[:0]
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '\n':
			b = append(b, '\r', '\n')
			i++
		case c == '\r' && i+1 == len(data):
			t.carry = []byte{c}
			i++
		case c == '\r' && data[i+1] == '\n':
			i++ // the LF writes CR LF
		case c == '\t' || (c >= 0x20 && c < 0x7f):
			b = append(b, c)
			i++
		case c < 0x80:
			b = appendEscaped(b, c)
			i++
		case !utf8.FullRune(data[i:]):
			t.carry = append([]byte(nil), data[i:]...)
			i = len(data)
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 || r < 0xa0 {
				for _, c := range data[i : i+size] {
					b = appendEscaped(b, c)
				}
			} else {
				b = append(b, data[i:i+size]...)
			}
			i += size
		}
	}
	t.buf = b
	if len(b) > 0 {
		if _, err := t.w.Write(b); err != nil {
			t.failed = err
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what Write held back, escaped: the stream ended in the
// middle of a rune.
func (t *ttyWriter) Flush() error {
	if len(t.carry) == 0 || t.failed != nil {
		return t.failed
	}
	var b []byte
	for _, c := range t.carry {
		b = appendEscaped(b, c)
	}
	t.carry = nil
	_, err := t.w.Write(b)
	return err
}

func appendEscaped(b []byte, c byte) []byte {
	const hex = "0123456789ABCDEF"
	return append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
}
