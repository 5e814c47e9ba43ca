package subsystem

import (
	"io"

	"github.com/klauspost/compress/zstd"
)

// compressWindow bounds the zstd window, and so the memory of both ends.
const compressWindow = 1 << 20

// newCompressorLevel returns the zstd stream that a --compress=zstd
// answer is written through (PROTOCOL.md §3.3): one goroutine, a 1 MiB
// window, so it costs little CPU and memory per session. Log bytes take
// the fastest level, which still shrinks access logs several times
// over; a following stats, whose answer is small next to the log it
// summarises, affords a better one.
func newCompressorLevel(w io.Writer, level zstd.EncoderLevel) (*zstd.Encoder, error) {
	return zstd.NewWriter(w,
		zstd.WithEncoderLevel(level),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(compressWindow),
		zstd.WithLowerEncoderMem(true))
}

// flushing is a compressed answer that is flushed after every write, for
// a following answer (stats --every, PROTOCOL.md §3.3): each frame can be
// decoded as soon as it is sent, while the stream's window still holds
// the earlier frames, so the keys a table repeats cost little.
type flushing struct{ zw *zstd.Encoder }

func (f flushing) Write(p []byte) (int, error) {
	n, err := f.zw.Write(p)
	if err != nil {
		return n, err
	}
	return n, f.zw.Flush()
}
