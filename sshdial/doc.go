// Package sshdial connects to SSH servers the way OpenSSH's ssh would:
// hosts resolve through ~/.ssh/config and /etc/ssh/ssh_config,
// authentication uses ssh-agent, identity files, OpenSSH user certificates
// and (on a terminal) passphrases and passwords, and host keys are checked
// against known_hosts. Ctrl-C at a prompt ends Dial with ErrInterrupted. [Dial] returns a [Conn], an authenticated connection ready
// for sessions; [Hint] suggests what to do about its errors.
//
// It knows nothing of the weblog protocol: package client speaks that over
// a Conn.
package sshdial
