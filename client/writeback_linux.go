package client

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing [off, off+n) of f to
// disk, without waiting (sync_file_range(2) with SYNC_FILE_RANGE_WRITE).
// It only starts early what the fsync at the end would do; errors are
// left to that fsync.
func startWriteback(f *os.File, off, n int64) {
	unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
