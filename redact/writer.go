package redact

import (
	"bytes"
	"io"
)

// DefaultMaxLine is the longest line a Writer redacts whole, in bytes.
const DefaultMaxLine = 1 << 20

// Writer redacts a stream of log lines on its way to an underlying
// writer: it holds back an incomplete line until its end arrives (or
// Flush), so that every line is redacted whole.
//
// A line longer than the Writer's maximum cannot be held back whole: its
// first maxLine bytes are redacted and written as a line of their own
// (with a "\n", and without an address cut in two at the end), and the
// rest of it, up to and including its line ending, is dropped. Nothing of
// such a line escapes redaction.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	w       io.Writer
	r       *Redactor
	maxLine int
	buf     []byte // the incomplete line held back
	out     []byte // scratch for redacted output
	discard bool   // dropping the rest of an overlong line
	err     error  // sticky write error
}

// NewWriter returns a Writer redacting with r into w, holding back at
// most maxLine bytes (DefaultMaxLine if maxLine <= 0).
func NewWriter(w io.Writer, r *Redactor, maxLine int) *Writer {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &Writer{w: w, r: r, maxLine: maxLine}
}

// Write redacts the complete lines of p, holds back the incomplete rest,
// and writes what it can. It returns len(p) unless the underlying writer
// failed; a failure is sticky.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	w.out = w.out[:0]
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if w.discard {
			if i < 0 {
				break
			}
			w.discard = false
			p = p[i+1:]
			continue
		}
		if i < 0 {
			if room := w.maxLine - len(w.buf); len(p) > room {
				w.buf = append(w.buf, p[:room]...)
				w.cut()
				continue
			}
			w.buf = append(w.buf, p...)
			break
		}
		line := p[:i+1]
		p = p[i+1:]
		if len(w.buf)+len(line)-1 > w.maxLine {
			w.buf = append(w.buf, line[:w.maxLine-len(w.buf)]...)
			w.cut()
			w.discard = false // the line ending was just dropped
			continue
		}
		if len(w.buf) > 0 {
			w.buf = append(w.buf, line...)
			line = w.buf
		}
		w.out = w.r.Line(w.out, line)
		w.buf = w.buf[:0]
	}
	if len(w.out) > 0 {
		if _, err := w.w.Write(w.out); err != nil {
			w.err = err
			return 0, err
		}
	}
	return n, nil
}

// cut redacts the held-back MaxLine bytes as a line and starts dropping
// the rest of it. A run of address bytes at the cut is dropped too: an
// address cut short is no longer recognised as one.
func (w *Writer) cut() {
	n := len(w.buf)
	for n > 0 && addrByte(w.buf[n-1]) {
		n--
	}
	w.buf = append(w.buf[:n], '\n')
	w.out = w.r.Line(w.out, w.buf)
	w.buf = w.buf[:0]
	w.discard = true
}

// Flush redacts and writes the incomplete line held back, if any, as it
// is (without adding a line ending). Call it at the end of the stream.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	w.out = w.r.Line(w.out[:0], w.buf)
	w.buf = w.buf[:0]
	if _, err := w.w.Write(w.out); err != nil {
		w.err = err
		return err
	}
	return nil
}
