package logfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// tailBlock is how much Tail reads at a time, walking backwards.
const tailBlock = 64 << 10

// Tail returns the offset at which the last n lines of f start, reading
// backwards from f's current size in blocks with ReadAt (f's offset does not
// move; memory stays bounded whatever the line lengths). A final line
// without a newline counts as a line. n <= 0 returns the size; n greater
// than the number of lines returns 0.
func Tail(f *os.File, n int) (offset int64, err error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("logfile: tail: %w", err)
	}
	return tailAt(f, fi.Size(), n)
}

// tailAt is Tail over the first size bytes of r.
func tailAt(r io.ReaderAt, size int64, n int) (int64, error) {
	if n <= 0 || size == 0 {
		return size, nil
	}
	buf := make([]byte, min(int64(tailBlock), size))
	end := size
	// A final newline ends the last line; it does not start another.
	if _, err := r.ReadAt(buf[:1], size-1); err != nil {
		return 0, fmt.Errorf("logfile: tail: %w", err)
	}
	if buf[0] == '\n' {
		end--
	}
	for end > 0 {
		start := max(0, end-int64(len(buf)))
		chunk := buf[:end-start]
		if _, err := r.ReadAt(chunk, start); err != nil {
			return 0, fmt.Errorf("logfile: tail at %d: %w", start, err)
		}
		for {
			i := bytes.LastIndexByte(chunk, '\n')
			if i < 0 {
				break
			}
			n--
			if n == 0 {
				return start + int64(i) + 1, nil
			}
			chunk = chunk[:i]
		}
		end = start
	}
	return 0, nil
}
