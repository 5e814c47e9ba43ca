package subsystem

import (
	"fmt"
	"sync/atomic"

	"github.com/weblogctl/weblogctl/wire"
)

// meter counts the log bytes an answer sends and enforces the byte cap:
// the answer stops with a limit error (PROTOCOL.md §5, status 5) once it
// has sent exactly max bytes and has more to send.
type meter struct {
	output
	max  int64 // 0: no cap
	sent atomic.Int64
}

func (m *meter) take(b []byte) ([]byte, error) {
	if m.max == 0 {
		m.sent.Add(int64(len(b)))
		return b, nil
	}
	room := m.max - m.sent.Load()
	if int64(len(b)) <= room {
		m.sent.Add(int64(len(b)))
		return b, nil
	}
	m.sent.Add(room)
	return b[:room], wire.Errorf(wire.StatusLimit, fmt.Sprintf("byte limit reached: this key may receive at most %d bytes per request", m.max))
}

func (m *meter) data(offset int64, b []byte) error {
	b, limit := m.take(b)
	if len(b) > 0 {
		if err := m.output.data(offset, b); err != nil {
			return err
		}
	}
	return limit
}

// redacted may cut the last line short when the cap is reached; the
// limit error that follows tells the client why.
func (m *meter) redacted(offset, span int64, b []byte) error {
	b, limit := m.take(b)
	if len(b) > 0 {
		if limit != nil {
			span = 0 // a cut piece replaces nothing whole
		}
		if err := m.output.redacted(offset, span, b); err != nil {
			return err
		}
	}
	return limit
}
