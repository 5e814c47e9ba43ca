// Package subsystem serves weblog protocol requests (PROTOCOL.md) for one
// SSH session over an io.Reader/io.Writer pair. It never touches the
// process's standard streams or SSH itself: cmd/weblog-server wires it to
// stdin/stdout under OpenSSH, and the embedded server wires it to SSH
// channels.
package subsystem
