package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// maxSymlinks bounds the symbolic links followed while opening a trusted
// file, as the kernel's MAXSYMLINKS does.
const maxSymlinks = 40

// openTrusted opens the file at path for reading, as OpenSSH's StrictModes
// checks its files, and refuses it unless nobody but root and the running
// user could have written it or could have put it there:
//
//   - the file is a regular file (not a FIFO or device), owned by root or
//     the running user, and not writable by group or others;
//   - every directory on the way to it, from /, is owned by root or the
//     running user and not writable by group or others, unless it has the
//     sticky bit (as /tmp has: others cannot replace what they do not own);
//   - every symbolic link on the way is owned by root or the running user,
//     and the way on from it is checked the same.
//
// It walks the path one component at a time, opening each relative to
// the directory before with O_NOFOLLOW and checking the open handle, so
// there is no check-then-open race.
func openTrusted(what, path string) (*os.File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s %s: %s", what, path, fmt.Sprintf(format, args...))
	}
	euid := os.Geteuid()
	openRoot := func() (int, error) {
		fd, err := unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, fail("open /: %v", err)
		}
		if err := checkDir(fd, "/", euid); err != nil {
			unix.Close(fd)
			return -1, fail("%v", err)
		}
		return fd, nil
	}
	dirfd, err := openRoot()
	if err != nil {
		return nil, err
	}
	defer func() { unix.Close(dirfd) }()
	dir := "/" // the directory dirfd is, for messages
	rest := strings.Split(abs, "/")
	for links := 0; ; {
		// Take the next component.
		for len(rest) > 0 && (rest[0] == "" || rest[0] == ".") {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			return nil, fail("not a file name")
		}
		name := rest[0]
		rest = rest[1:]
		last := len(strings.Join(rest, "")) == 0
		flags := unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC
		if last {
			flags |= unix.O_NONBLOCK | unix.O_NOCTTY
		} else {
			flags |= unix.O_DIRECTORY
		}
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err == unix.ELOOP || err == unix.ENOTDIR {
			// A symbolic link, if the one who made it is trusted.
			var st unix.Stat_t
			if lerr := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); lerr != nil || st.Mode&unix.S_IFMT != unix.S_IFLNK {
				return nil, fail("open %s: %v", filepath.Join(dir, name), err)
			}
			if st.Uid != 0 && int(st.Uid) != euid {
				return nil, fail("symbolic link %s is owned by uid %d, not by root or the running user (uid %d)", filepath.Join(dir, name), st.Uid, euid)
			}
			if links++; links > maxSymlinks {
				return nil, fail("too many symbolic links")
			}
			buf := make([]byte, unix.PathMax)
			n, err := unix.Readlinkat(dirfd, name, buf)
			if err != nil {
				return nil, fail("read symbolic link %s: %v", filepath.Join(dir, name), err)
			}
			target := string(buf[:n])
			rest = append(strings.Split(target, "/"), rest...)
			if strings.HasPrefix(target, "/") {
				root, err := openRoot()
				if err != nil {
					return nil, err
				}
				unix.Close(dirfd)
				dirfd, dir = root, "/"
			}
			continue
		}
		if err != nil {
			return nil, fail("open %s: %v", filepath.Join(dir, name), err)
		}
		if name == ".." {
			dir = filepath.Dir(dir)
		} else {
			dir = filepath.Join(dir, name)
		}
		if !last {
			if err := checkDir(fd, dir, euid); err != nil {
				unix.Close(fd)
				return nil, fail("%v", err)
			}
			unix.Close(dirfd)
			dirfd = fd
			continue
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			return nil, fail("%v", err)
		}
		if err := checkFile(&st, euid); err != nil {
			unix.Close(fd)
			if dir != abs {
				return nil, fail("%s: %v", dir, err)
			}
			return nil, fail("%v", err)
		}
		if err := unix.SetNonblock(fd, false); err != nil {
			unix.Close(fd)
			return nil, fail("%v", err)
		}
		return os.NewFile(uintptr(fd), abs), nil
	}
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
