package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// ErrTooManySessions is returned by AcquireSlot when every session slot
// of a profile is taken.
var ErrTooManySessions = errors.New("too many sessions")

// DefaultSlotDir returns where session slots live when the policy does
// not say: /run/weblog-server for root, else /run/user/UID/weblog-server
// when the user's runtime directory exists, else /tmp/weblog-server-UID.
// It reads no environment variable: a client may be able to set some.
func DefaultSlotDir() string {
	uid := os.Geteuid()
	if uid == 0 {
		return "/run/weblog-server"
	}
	run := filepath.Join("/run/user", strconv.Itoa(uid))
	var st unix.Stat_t
	if unix.Lstat(run, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR && int(st.Uid) == uid {
		return filepath.Join(run, "weblog-server")
	}
	return filepath.Join("/tmp", "weblog-server-"+strconv.Itoa(uid))
}

// AcquireSlot takes one of max session slots of profile, so that at most
// max sessions of a profile run at once on this host. sshd starts one
// weblog-server process per session, so the slots are files,
// DIR/PROFILE/slot.N, each held with flock(2) for as long as the session
// runs: the kernel releases the lock when the process ends, however it
// ends, so a crash never leaks a slot.
//
// release gives the slot back; call it once. When every slot is taken,
// the error wraps ErrTooManySessions. max <= 0 means no limit: nothing
// is locked and release does nothing.
//
// dir is created (mode 0700) if missing; it and DIR/PROFILE must be
// directories owned by the running user (dir may also be root's) and not
// writable by group or others, else another user could take the slots.
func AcquireSlot(dir, profile string, max int) (release func(), err error) {
	if max <= 0 {
		return func() {}, nil
	}
	if err := checkProfileName(profile); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("session directory %s: not an absolute path", strconv.Quote(dir))
	}
	euid := os.Geteuid()
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("session directory: %w", err)
	}
	dfd, err := openOwnDir(unix.AT_FDCWD, dir, dir, euid, true)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dfd)
	pdir := filepath.Join(dir, profile)
	if err := unix.Mkdirat(dfd, profile, 0o700); err != nil && err != unix.EEXIST {
		return nil, fmt.Errorf("session directory %s: %w", pdir, err)
	}
	pfd, err := openOwnDir(dfd, profile, pdir, euid, false)
	if err != nil {
		return nil, err
	}
	defer unix.Close(pfd)
	for i := 0; i < max; i++ {
		name := "slot." + strconv.Itoa(i)
		fd, err := unix.Openat(pfd, name, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return nil, fmt.Errorf("session slot %s: %w", filepath.Join(pdir, name), err)
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			unix.Close(fd)
			return nil, fmt.Errorf("session slot %s: not a regular file", filepath.Join(pdir, name))
		}
		err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			f := os.NewFile(uintptr(fd), filepath.Join(pdir, name))
			return func() { f.Close() }, nil // closing the last descriptor unlocks
		}
		unix.Close(fd)
		if err != unix.EWOULDBLOCK {
			return nil, fmt.Errorf("session slot %s: lock: %w", filepath.Join(pdir, name), err)
		}
	}
	return nil, fmt.Errorf("profile %s: %w (at most %d at once)", profile, ErrTooManySessions, max)
}

// openOwnDir opens the directory name (relative to dirfd) without
// following a symlink, and refuses it unless it is owned by euid (or by
// root, if rootOK) and not writable by group or others.
func openOwnDir(dirfd int, name, display string, euid int, rootOK bool) (int, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("session directory %s: %w", display, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("session directory %s: %w", display, err)
	}
	mode := st.Mode &^ unix.S_IFMT
	switch {
	case int(st.Uid) != euid && !(rootOK && st.Uid == 0):
		unix.Close(fd)
		return -1, fmt.Errorf("session directory %s: owned by uid %d, not by the running user (uid %d)", display, st.Uid, euid)
	case mode&0o022 != 0:
		unix.Close(fd)
		return -1, fmt.Errorf("session directory %s: writable by group or others (mode %04o)", display, mode)
	}
	return fd, nil
}
