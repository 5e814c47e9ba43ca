package wire

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Frame types (PROTOCOL.md §3.2).
const (
	FrameMeta      byte = 'M'
	FrameOpen      byte = 'O'
	FrameData      byte = 'D'
	FrameRedacted  byte = 'R'
	FrameHeartbeat byte = 'K'
	FrameEnd       byte = 'Z'
	FrameError     byte = 'E'
)

// MaxFrame is the largest frame payload, MaxData the most log bytes in one
// data frame.
const (
	MaxFrame = 1 << 20
	MaxData  = 256 << 10
)

const headerLen = 5

// Open is the payload of an O frame.
type Open struct {
	Log    string `json:"log"`
	ID     string `json:"id"`
	Offset int64  `json:"offset"`
	Size   int64  `json:"size"`
	Reason string `json:"reason"`
	File   string `json:"file,omitempty"` // base name of the file, for --rotated
}

// End is the payload of a Z frame.
type End struct {
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256,omitempty"`
	// PrefixSHA256 is, for cat --verify-prefix, the SHA-256 of the bytes
	// before the offset.
	PrefixSHA256 string `json:"prefix_sha256,omitempty"`
}

// ErrorPayload is the payload of an E frame.
type ErrorPayload struct {
	Status  Status `json:"status"`
	Message string `json:"message"`
}

// VersionInfo is the M frame answering `version`.
type VersionInfo struct {
	Version  string `json:"version"`
	Protocol int    `json:"protocol"`
	// Time is the server's clock when it answered (RFC 3339, UTC, with
	// fractional seconds); "" from servers before it was added.
	Time string `json:"time,omitempty"`
	// UptimeMicros is how long the server process had run when it
	// answered, in microseconds; 0 when unknown.
	UptimeMicros int64 `json:"uptime_us,omitempty"`
}

// LogInfo describes one log in `ls` and `stat` answers. Size is -1 when
// the log cannot be opened.
type LogInfo struct {
	Name  string `json:"name"`
	Size  int64  `json:"size"`
	MTime string `json:"mtime,omitempty"`
	ID    string `json:"id,omitempty"`
	// Rotated lists the log's rotated files, newest first: the file that
	// `cat --rotated=1` reads comes first (ls only).
	Rotated []RotatedInfo `json:"rotated,omitempty"`
	// Unreadable says, in ls answers when Size is -1, why the file the
	// policy names for this log could not be opened: "missing",
	// "permission" (the server's account may not read it) or "refused"
	// (not a regular file with one link, or a symlink); "" when the
	// server does not say (PROTOCOL.md §3.5).
	Unreadable string `json:"unreadable,omitempty"`

	// The fields below are in stat answers only, and "" or 0 from servers
	// before they were added (PROTOCOL.md §3.2).

	// Format is the log's format name ("combined", "custom", …), "" when
	// none fits its first lines.
	Format string `json:"format,omitempty"`
	// FormatSource is "configured" or "detected".
	FormatSource string `json:"format_source,omitempty"`
	// FormatLines is how many non-empty lines the format was judged on,
	// FormatParsed how many of them it parses whole.
	FormatLines  int `json:"format_lines,omitempty"`
	FormatParsed int `json:"format_parsed,omitempty"`
	// Rotation is how the newest rotated file was made: "rename",
	// "copytruncate", "none" (no rotated file) or "unknown".
	Rotation string `json:"rotation,omitempty"`
}

// RotatedInfo describes one rotated file of a log. Size is that of the
// file on disk (compressed, for .gz).
type RotatedInfo struct {
	File  string `json:"file"`
	Size  int64  `json:"size"`
	MTime string `json:"mtime,omitempty"`
}

// Listing is the M frame answering `ls`.
type Listing struct {
	Logs []LogInfo `json:"logs"`
	// AccessUntil is when the session's credential (an OpenSSH
	// certificate) stops being valid, RFC 3339 UTC; "" when the server
	// does not know (PROTOCOL.md §3.2).
	AccessUntil string `json:"access_until,omitempty"`
}

// FrameWriter writes frames to an io.Writer. Every Write* call issues one
// Write to the underlying writer, so a FrameWriter shared by goroutines
// needs only a mutex around calls (none is included).
type FrameWriter struct {
	w   io.Writer
	buf []byte
}

// NewFrameWriter returns a FrameWriter on w.
func NewFrameWriter(w io.Writer) *FrameWriter { return &FrameWriter{w: w} }

// WriteFrame writes one frame of type typ.
func (fw *FrameWriter) WriteFrame(typ byte, payload []byte) error {
	if len(payload) > MaxFrame {
		return fmt.Errorf("write frame %q: payload of %d bytes exceeds %d", typ, len(payload), MaxFrame)
	}
	fw.buf = appendHeader(fw.buf[:0], typ, len(payload))
	fw.buf = append(fw.buf, payload...)
	_, err := fw.w.Write(fw.buf)
	return err
}

// WriteJSON writes a frame whose payload is v as JSON.
func (fw *FrameWriter) WriteJSON(typ byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("write frame %q: %w", typ, err)
	}
	return fw.WriteFrame(typ, b)
}

// WriteData writes data, which starts at byte offset of the current file,
// as one or more D frames of at most MaxData bytes each.
func (fw *FrameWriter) WriteData(offset int64, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), MaxData)
		fw.buf = appendHeader(fw.buf[:0], FrameData, 8+n)
		fw.buf = binary.BigEndian.AppendUint64(fw.buf, uint64(offset))
		fw.buf = append(fw.buf, data[:n]...)
		if _, err := fw.w.Write(fw.buf); err != nil {
			return err
		}
		data, offset = data[n:], offset+int64(n)
	}
	return nil
}

// WriteRedacted writes one R frame: data (at most MaxData bytes, whole
// lines) replaces the span bytes of the current file starting at offset
// (PROTOCOL.md §3.2): the lines as redaction left them.
func (fw *FrameWriter) WriteRedacted(offset, span int64, data []byte) error {
	if len(data) > MaxData {
		return fmt.Errorf("write frame R: %d bytes exceed %d", len(data), MaxData)
	}
	fw.buf = appendHeader(fw.buf[:0], FrameRedacted, 16+len(data))
	fw.buf = binary.BigEndian.AppendUint64(fw.buf, uint64(offset))
	fw.buf = binary.BigEndian.AppendUint64(fw.buf, uint64(span))
	fw.buf = append(fw.buf, data...)
	_, err := fw.w.Write(fw.buf)
	return err
}

func appendHeader(b []byte, typ byte, n int) []byte {
	b = append(b, typ)
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

// Frame is one frame read by a FrameReader. Payload is valid until the
// next call to Next.
type Frame struct {
	Type    byte
	Payload []byte
}

// DataOffset splits a D frame's payload into its offset and bytes.
func (f Frame) DataOffset() (int64, []byte, error) {
	if f.Type != FrameData || len(f.Payload) < 8 {
		return 0, nil, errors.New("malformed data frame")
	}
	off := binary.BigEndian.Uint64(f.Payload)
	if off > 1<<62 {
		return 0, nil, errors.New("malformed data frame: offset out of range")
	}
	return int64(off), f.Payload[8:], nil
}

// RedactedData splits an R frame's payload into the offset and length of
// the file range it replaces and its bytes.
func (f Frame) RedactedData() (offset, span int64, data []byte, err error) {
	if f.Type != FrameRedacted || len(f.Payload) < 16 {
		return 0, 0, nil, errors.New("malformed redacted-data frame")
	}
	off, n := binary.BigEndian.Uint64(f.Payload), binary.BigEndian.Uint64(f.Payload[8:])
	if off > 1<<62 || n > 1<<62 {
		return 0, 0, nil, errors.New("malformed redacted-data frame: range out of range")
	}
	return int64(off), int64(n), f.Payload[16:], nil
}

// Decode unmarshals a JSON payload into v.
func (f Frame) Decode(v any) error {
	if err := json.Unmarshal(f.Payload, v); err != nil {
		return fmt.Errorf("malformed %q frame: %w", f.Type, err)
	}
	return nil
}

// FrameReader reads frames, refusing any payload over MaxFrame.
type FrameReader struct {
	r   *bufio.Reader
	buf []byte
}

// NewFrameReader returns a FrameReader on r.
func NewFrameReader(r io.Reader) *FrameReader {
	// Small: payloads are read with ReadFull, which bypasses the buffer
	// for large ones; the buffer only saves syscalls on headers and small
	// frames, and a client holds one per host it follows.
	return &FrameReader{r: bufio.NewReaderSize(r, 4<<10)}
}

// Next reads the next frame. It returns io.EOF at a clean end between
// frames and io.ErrUnexpectedEOF inside one.
func (fr *FrameReader) Next() (Frame, error) {
	var h [headerLen]byte
	if _, err := io.ReadFull(fr.r, h[:]); err != nil {
		return Frame{}, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > MaxFrame {
		return Frame{}, fmt.Errorf("frame %q of %d bytes exceeds the limit", h[0], n)
	}
	if cap(fr.buf) < int(n) {
		fr.buf = make([]byte, n)
	}
	fr.buf = fr.buf[:n]
	if _, err := io.ReadFull(fr.r, fr.buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, err
	}
	return Frame{Type: h[0], Payload: fr.buf}, nil
}
