package logfile

import "bytes"

// readSize is the size of one read, and the initial line buffer.
const readSize = 64 << 10

// stream cuts the bytes of one file into Data events of whole lines. It holds
// at most one incomplete line, of at most max bytes: when a line has max bytes
// and still no newline, those bytes are delivered as a Partial piece. The
// buffer starts at min(readSize, max) and grows only for long lines.
type stream struct {
	id   Identity
	off  int64 // file offset of buf[0]: everything before it was delivered
	buf  []byte
	n    int // bytes held in buf: an incomplete line
	max  int
	emit func(Event) error
}

func newStream(maxLine int, emit func(Event) error) *stream {
	return &stream{buf: make([]byte, min(readSize, maxLine)), max: maxLine, emit: emit}
}

// reset starts delivering file id at offset off, dropping any held bytes.
func (s *stream) reset(id Identity, off int64) {
	s.id, s.off, s.n = id, off, 0
}

// pos is the offset of the next byte to read.
func (s *stream) pos() int64 { return s.off + int64(s.n) }

// room returns the free part of the buffer, never empty: it grows the
// buffer, or delivers a full buffer of one over-long line as a Partial piece.
func (s *stream) room() ([]byte, error) {
	if s.n == len(s.buf) {
		if len(s.buf) < s.max {
			nb := make([]byte, min(2*len(s.buf), s.max))
			copy(nb, s.buf[:s.n])
			s.buf = nb
		} else if err := s.flush(); err != nil {
			return nil, err
		}
	}
	return s.buf[s.n:], nil
}

// commit takes k bytes just read into the room, and delivers every line
// they complete.
func (s *stream) commit(k int) error {
	data := s.buf[:s.n+k]
	i := bytes.LastIndexByte(data[s.n:], '\n')
	if i < 0 {
		s.n += k
		return nil
	}
	end := s.n + i + 1
	err := s.emit(Event{Kind: EventData, ID: s.id, Offset: s.off, Data: data[:end]})
	s.off += int64(end)
	s.n = copy(s.buf, data[end:])
	return err
}

// flush delivers the held bytes, if any, as a Partial piece.
func (s *stream) flush() error {
	if s.n == 0 {
		return nil
	}
	err := s.emit(Event{Kind: EventData, ID: s.id, Offset: s.off, Data: s.buf[:s.n], Partial: true})
	s.off += int64(s.n)
	s.n = 0
	return err
}
