package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// openTrusted opens the file at path for reading, as OpenSSH's StrictModes
// checks its files, and refuses it unless nobody but root and the running
// user could have written it or can replace it:
//
//   - the file is a regular file (not a symlink, FIFO or device), owned by
//     root or the running user, and not writable by group or others;
//   - every directory from / down to it is owned by root or the running
//     user and not writable by group or others, unless it has the sticky
//     bit (as /tmp has: others cannot replace what they do not own).
//
// Symbolic links in the directory part of path are resolved first; the
// walk then opens each directory with O_NOFOLLOW relative to the one
// before and checks the open handle, so there is no check-then-open race.
func openTrusted(what, path string) (*os.File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	dir, base := filepath.Split(abs)
	if base == "" || base == "." || base == ".." {
		return nil, fmt.Errorf("%s %s: not a file name", what, path)
	}
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	euid := os.Geteuid()
	fd, err := unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("%s %s: open /: %w", what, path, err)
	}
	walked := "/"
	if err := checkDir(fd, walked, euid); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	for _, name := range strings.Split(strings.Trim(dir, "/"), "/") {
		if name == "" {
			continue
		}
		next, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(fd)
		walked = filepath.Join(walked, name)
		if err != nil {
			return nil, fmt.Errorf("%s %s: open directory %s: %w", what, path, walked, err)
		}
		fd = next
		if err := checkDir(fd, walked, euid); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("%s %s: %w", what, path, err)
		}
	}
	ffd, err := unix.Openat(fd, base, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	unix.Close(fd)
	if err == unix.ELOOP {
		return nil, fmt.Errorf("%s %s: is a symbolic link; name the file itself", what, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(ffd, &st); err != nil {
		unix.Close(ffd)
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	if err := checkFile(&st, euid); err != nil {
		unix.Close(ffd)
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	if err := unix.SetNonblock(ffd, false); err != nil {
		unix.Close(ffd)
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	return os.NewFile(uintptr(ffd), abs), nil
}

// checkFile refuses a file that is not regular, not owned by root or
// euid, or writable by group or others.
func checkFile(st *unix.Stat_t, euid int) error {
	mode := st.Mode &^ unix.S_IFMT
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return fmt.Errorf("not a regular file")
	case st.Uid != 0 && int(st.Uid) != euid:
		return fmt.Errorf("owned by uid %d, not by root or the running user (uid %d): chown it", st.Uid, euid)
	case mode&0o022 != 0:
		return fmt.Errorf("writable by group or others (mode %04o): chmod go-w it", mode)
	}
	return nil
}

// checkDir refuses a directory not owned by root or euid, or writable by
// group or others without the sticky bit.
func checkDir(fd int, name string, euid int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("directory %s: %w", name, err)
	}
	mode := st.Mode &^ unix.S_IFMT
	switch {
	case st.Uid != 0 && int(st.Uid) != euid:
		return fmt.Errorf("directory %s is owned by uid %d, not by root or the running user (uid %d)", name, st.Uid, euid)
	case mode&0o022 != 0 && mode&unix.S_ISVTX == 0:
		return fmt.Errorf("directory %s is writable by group or others (mode %04o): chmod go-w it", name, mode)
	}
	return nil
}
