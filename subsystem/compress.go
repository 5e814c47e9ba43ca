package subsystem

import (
	"io"

	"github.com/klauspost/compress/zstd"
)

// compressWindow bounds the zstd window, and so the memory of both ends.
const compressWindow = 1 << 20

// newCompressor returns the zstd stream that a --compress=zstd answer is
// written through (PROTOCOL.md §3.3): the fastest level, one goroutine,
// a 1 MiB window, so it costs little CPU and memory per session and still
// shrinks access logs several times over. Not WithLowerEncoderMem: it
// saves about a megabyte and costs a quarter of the speed.
func newCompressor(w io.Writer) (*zstd.Encoder, error) {
	return zstd.NewWriter(w,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(compressWindow))
}
