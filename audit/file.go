package audit

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// OpenFile opens the audit log at path for appending, creating it with
// mode 0600 if it does not exist. It does not follow a symlink at path,
// does not block on a FIFO, and refuses anything but a regular file, and
// a file that anyone may write (mode o+w), whose lines could be forged
// without us.
func OpenFile(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, fmt.Errorf("audit log %s: not a regular file", path)
	}
	if st.Mode&0o002 != 0 {
		unix.Close(fd)
		return nil, fmt.Errorf("audit log %s: writable by anyone (mode %04o): chmod o-w it", path, st.Mode&0o7777)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}
