package subsystem

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"sync"

	"github.com/weblogctl/weblogctl/wire"
)

// output is where a request's answer goes: raw for people, framed for
// weblogctl (PROTOCOL.md §3). Methods are safe for concurrent use, so a
// heartbeat can interleave with data.
type output interface {
	// open announces the file that the following data comes from.
	open(o wire.Open) error
	// data writes log bytes starting at offset of the current file.
	data(offset int64, b []byte) error
	// redacted writes whole lines, redacted, that replace the span file
	// bytes at offset.
	redacted(offset, span int64, b []byte) error
	// meta writes a metadata answer: v framed, or text raw.
	meta(v any, text string) error
	// heartbeat says the server is alive, where the mode can say so.
	heartbeat() error
	// end closes a successful answer.
	end(e wire.End) error
	// fail closes a failed answer.
	fail(err *wire.Error) error
}

// rawOutput writes log bytes and text answers only; failures go to errOut
// as one line.
type rawOutput struct {
	mu     sync.Mutex
	w      io.Writer
	errOut io.Writer
}

func (o *rawOutput) open(wire.Open) error { return nil }
func (o *rawOutput) heartbeat() error     { return nil }
func (o *rawOutput) end(wire.End) error   { return nil }

func (o *rawOutput) data(_ int64, b []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, err := o.w.Write(b)
	return err
}

func (o *rawOutput) redacted(offset, _ int64, b []byte) error { return o.data(offset, b) }

func (o *rawOutput) meta(_ any, text string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, err := io.WriteString(o.w, text)
	return err
}

func (o *rawOutput) fail(err *wire.Error) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, werr := io.WriteString(o.errOut, wire.ErrorPrefix+err.Message+"\n")
	return werr
}

// framedOutput writes frames.
type framedOutput struct {
	mu sync.Mutex
	fw *wire.FrameWriter
}

func (o *framedOutput) open(v wire.Open) error { return o.json(wire.FrameOpen, v) }
func (o *framedOutput) meta(v any, _ string) error {
	return o.json(wire.FrameMeta, v)
}
func (o *framedOutput) end(e wire.End) error { return o.json(wire.FrameEnd, e) }
func (o *framedOutput) fail(err *wire.Error) error {
	return o.json(wire.FrameError, wire.ErrorPayload{Status: err.Status, Message: err.Message})
}

func (o *framedOutput) json(typ byte, v any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.fw.WriteJSON(typ, v)
}

func (o *framedOutput) data(offset int64, b []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.fw.WriteData(offset, b)
}

// redacted splits what does not fit one R frame; the pieces before the
// last cover no file bytes, the last covers the whole span.
func (o *framedOutput) redacted(offset, span int64, b []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(b) > wire.MaxData {
		if err := o.fw.WriteRedacted(offset, 0, b[:wire.MaxData]); err != nil {
			return err
		}
		b = b[wire.MaxData:]
	}
	return o.fw.WriteRedacted(offset, span, b)
}

func (o *framedOutput) heartbeat() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.fw.WriteFrame(wire.FrameHeartbeat, nil)
}

// summer counts and hashes the bytes an answer carries.
type summer struct {
	n int64
	h hash.Hash
}

func newSummer() *summer { return &summer{h: sha256.New()} }

func (s *summer) add(b []byte) {
	s.n += int64(len(b))
	s.h.Write(b)
}

// Write adds p, for io.Copy.
func (s *summer) Write(p []byte) (int, error) {
	s.add(p)
	return len(p), nil
}

func (s *summer) end() wire.End {
	return wire.End{Bytes: s.n, SHA256: hex.EncodeToString(s.h.Sum(nil))}
}
