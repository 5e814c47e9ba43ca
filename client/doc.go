// Package client connects to weblog-server over SSH, the way OpenSSH's ssh
// would: hosts resolve through ~/.ssh/config, authentication uses ssh-agent,
// identity files and (on a terminal) passwords, and host keys are checked
// against known_hosts. [Dial] returns a [Conn], an authenticated
// connection ready for sessions.
package client
