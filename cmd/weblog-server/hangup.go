package main

import (
	"errors"

	"golang.org/x/sys/unix"
)

// watchHangup blocks until fd reports POLLERR or POLLHUP — the reader of
// our stdout is gone, i.e. sshd closed the session's pipe or socket because
// the client left — and then returns. This notices a departed client at
// once, even while the log is idle and nothing is written (PROTOCOL.md §1).
func watchHangup(fd int) {
	fds := []unix.PollFd{{Fd: int32(fd), Events: 0}} // POLLERR and POLLHUP are always reported
	for {
		_, err := unix.Poll(fds, -1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
		if fds[0].Revents&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0 {
			return
		}
	}
}
