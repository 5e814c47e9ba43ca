//go:build unix

package logfile

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fileStat is the part of a stat result the follower needs.
type fileStat struct {
	dev, ino uint64
	nlink    uint64
	size     int64
	ctime    time.Time
	regular  bool
}

func statOf(st *unix.Stat_t) fileStat {
	return fileStat{
		dev:     uint64(st.Dev),
		ino:     uint64(st.Ino),
		nlink:   uint64(st.Nlink),
		size:    st.Size,
		ctime:   time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec)),
		regular: st.Mode&unix.S_IFMT == unix.S_IFREG,
	}
}

// fstat stats the open file f (never its path).
func fstat(f *os.File) (fileStat, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return fileStat{}, fmt.Errorf("logfile: fstat %s: %w", f.Name(), err)
	}
	var st unix.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Fstat(int(fd), &st) }); err != nil {
		return fileStat{}, fmt.Errorf("logfile: fstat %s: %w", f.Name(), err)
	}
	if serr != nil {
		return fileStat{}, &os.PathError{Op: "fstat", Path: f.Name(), Err: serr}
	}
	return statOf(&st), nil
}

// lstat stats path without following a final symlink; it is only used to
// notice that the path now names another file, never to read.
func lstat(path string) (fileStat, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return fileStat{}, &os.PathError{Op: "lstat", Path: path, Err: err}
	}
	return statOf(&st), nil
}
