// Package sshserver is weblog-server's embedded SSH server: a
// self-contained server on golang.org/x/crypto/ssh for hosts where the
// weblog protocol cannot run under OpenSSH's sshd, and the server behind
// `weblogctl demo`.
//
// It serves the same protocol as the OpenSSH deployments (PROTOCOL.md)
// through package subsystem, and nothing else:
//
//   - a `weblog` subsystem request is stream mode: request lines on the
//     channel's input;
//   - an `exec` request is one request line (`ssh host cat access`);
//   - a `shell` request (`ssh host`, with or without a terminal) follows
//     the policy's first log, as `follow -n 10 LOG` would; with a
//     terminal, line ends become CR LF and control bytes in log lines are
//     shown escaped, and q, Ctrl-C or Ctrl-D ends it.
//
// Everything else is refused: port forwarding in both directions (ssh -L,
// -R, -D, -W), agent and X11 forwarding, tun devices, environment
// variables, unknown channel types and global requests. Clients log in
// with a key listed in an authorized_keys file, an OpenSSH user
// certificate signed by a trusted CA (whose force-command, read as
// weblog-server's profile flags and never run, is then the connection's
// policy; see cert.go) or, optionally, a password whose bcrypt hash is in
// a password file; these files are re-read when they change, like sshd's. The host key is ed25519 and is created on
// first use. Only modern algorithms are offered (see algorithms.go).
//
// Every connection, login, refusal and request is logged as one line on
// Config.Logger; text that the client controls is quoted with
// strconv.Quote, so it cannot forge lines or reach a terminal raw.
package sshserver
