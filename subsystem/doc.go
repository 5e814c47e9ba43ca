// Package subsystem serves weblog protocol requests (PROTOCOL.md) for SSH
// sessions, each over an io.Reader/io.Writer pair. A Server is made once
// from a policy.Profile (New) and serves any number of sessions at once
// (Server.Serve for stream mode, Server.Exec for one request), each given
// the Identity of its client. Everything the profile says is enforced
// here — logs, verbs, redaction, byte and time limits, the idle timeout
// and the cap on sessions at once — and every request is audited with the
// session's identity, so every deployment behaves the same.
//
// It never touches the process's standard streams, its environment or
// SSH itself: cmd/weblog-server wires it to stdin/stdout under OpenSSH
// and reads the identity from sshd's environment, and the embedded
// server (package sshserver) wires it to SSH channels.
package subsystem
