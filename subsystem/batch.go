package subsystem

import (
	"io"
	"time"
)

// Batching of a bounded answer's writes (filter without --follow): a
// sparse filter selects lines far apart in the file, each its own frame
// of a few hundred bytes, and writing each on its own costs a system call
// here and a read and an SSH packet in sshd (at 15% matches on 100 MB,
// 60,000 writes of ~250 bytes).
const (
	batchSize  = 256 << 10              // what one write carries at most when batching
	batchDelay = 100 * time.Millisecond // the longest a batched frame waits
)

// batchWriter gathers small writes into writes of up to batchSize bytes.
// Unlike bufio.Writer, it passes a large write (a dense filter's 256 KiB
// frames) through whole after what is gathered, instead of splitting it
// across two writes, and it writes out what it holds once the oldest of
// it has waited batchDelay, so that the lines of a slow filter still
// arrive. It is not safe for concurrent use; the output's mutex guards it.
type batchWriter struct {
	w     io.Writer
	buf   []byte
	since time.Time // when buf became non-empty
}

func newBatchWriter(w io.Writer) *batchWriter {
	return &batchWriter{w: w, buf: make([]byte, 0, batchSize)}
}

// Write gathers p, or writes what is gathered and then p.
func (b *batchWriter) Write(p []byte) (int, error) {
	if len(b.buf)+len(p) > batchSize {
		if err := b.Flush(); err != nil {
			return 0, err
		}
		if len(p) >= batchSize/2 {
			return b.w.Write(p)
		}
	}
	if len(b.buf) == 0 {
		b.since = time.Now()
	}
	b.buf = append(b.buf, p...)
	if time.Since(b.since) >= batchDelay {
		if err := b.Flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what is gathered.
func (b *batchWriter) Flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}
