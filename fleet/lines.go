package fleet

import "bytes"

// MaxLine bounds the bytes a LineWriter holds for one line: a longer line
// is passed on in pieces of this size.
const MaxLine = 1 << 20

// LineWriter turns a byte stream (e.g. a fetched file arriving in chunks)
// into whole lines: each Write passes on the complete lines it finished,
// in one call of Emit, and keeps the incomplete rest for the next Write.
// Close passes on a last line that has no newline.
type LineWriter struct {
	// Emit receives one or more whole lines (each ending with "\n",
	// except a piece of an over-long line or the last line at Close).
	// The slice is only valid during the call.
	Emit func(lines []byte) error

	partial []byte
}

// Write passes on the lines p completes. It returns len(p) unless Emit
// fails.
func (w *LineWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(w.partial) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			return n, w.spill()
		}
		w.partial = append(w.partial, p[:i+1]...)
		p = p[i+1:]
		err := w.Emit(w.partial)
		w.partial = w.partial[:0]
		if err != nil {
			return 0, err
		}
	}
	last := bytes.LastIndexByte(p, '\n') + 1
	if last > 0 {
		if err := w.Emit(p[:last]); err != nil {
			return 0, err
		}
	}
	w.partial = append(w.partial, p[last:]...)
	return n, w.spill()
}

// spill passes on the partial line in pieces while it is longer than
// MaxLine.
func (w *LineWriter) spill() error {
	for len(w.partial) >= MaxLine {
		if err := w.Emit(w.partial[:MaxLine]); err != nil {
			return err
		}
		w.partial = append(w.partial[:0], w.partial[MaxLine:]...)
	}
	if cap(w.partial) > 2*MaxLine && len(w.partial) < MaxLine/2 {
		w.partial = append([]byte(nil), w.partial...)
	}
	return nil
}

// Close passes on what remains of an unfinished last line.
func (w *LineWriter) Close() error {
	if len(w.partial) == 0 {
		return nil
	}
	err := w.Emit(w.partial)
	w.partial = nil
	return err
}
