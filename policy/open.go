package policy

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Open opens the log's live file safely; see OpenFile.
func (l Log) Open() (*os.File, error) { return OpenFile(l.Path) }

// OpenFile opens path for reading without following a symlink in its last
// component, without blocking on a FIFO or device, and without acquiring a
// controlling terminal; it then checks the open handle (not the path, so
// there is no check-then-open race) and refuses anything but a regular
// file with a single link. The error wraps ErrUnavailable whatever the cause, so callers can
// answer the client without telling what exists.
func OpenFile(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w: %w", path, ErrUnavailable, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("fstat %s: %w: %w", path, ErrUnavailable, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, fmt.Errorf("open %s: %w: not a regular file", path, ErrUnavailable)
	}
	// A second name for the file may be a hard link planted to a file
	// outside the policy (/etc/shadow linked into a log directory that
	// someone else can write to). Logs and their rotated copies have one.
	if st.Nlink > 1 {
		unix.Close(fd)
		return nil, fmt.Errorf("open %s: %w: the file has %d hard links", path, ErrUnavailable, st.Nlink)
	}
	// Regular files never block; clear O_NONBLOCK so the runtime does not
	// try to use the poller for it.
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// Siblings returns the log's rotated siblings that exist now, newest first:
// PATH.1, PATH.2.gz, … (numbered, as logrotate and savelog name them) and
// PATH-YYYYMMDD[.gz] (logrotate's dateext), all in PATH's directory. Only
// regular files count; symlinks are skipped.
func (l Log) Siblings() ([]string, error) {
	dir, base := filepath.Dir(l.Path), filepath.Base(l.Path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("siblings of %s: %w", l.Path, err)
	}
	var found []sibling
	for _, e := range entries {
		s, ok := parseSibling(base, e.Name())
		if !ok || e.Type()&os.ModeType != 0 {
			continue
		}
		s.path = filepath.Join(dir, e.Name())
		found = append(found, s)
	}
	sortSiblings(found)
	paths := make([]string, len(found))
	for i, s := range found {
		paths[i] = s.path
	}
	return paths, nil
}

// OpenRelated opens path if it is the log's live file or one of its rotated
// siblings (by name, in the same directory), and refuses anything else; it
// is what a follower re-runs on every reopen after rotation.
func (l Log) OpenRelated(path string) (*os.File, error) {
	clean := filepath.Clean(path)
	if clean != l.Path {
		dir, base := filepath.Split(clean)
		if filepath.Clean(dir) != filepath.Dir(l.Path) {
			return nil, fmt.Errorf("open %s: %w: not a file of log %s", path, ErrUnavailable, l.Name)
		}
		if _, ok := parseSibling(filepath.Base(l.Path), base); !ok {
			return nil, fmt.Errorf("open %s: %w: not a file of log %s", path, ErrUnavailable, l.Name)
		}
	}
	return OpenFile(clean)
}
