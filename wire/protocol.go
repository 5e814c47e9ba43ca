package wire

// SubsystemName is the SSH subsystem that speaks the weblog protocol
// (PROTOCOL.md §1): sshd's `Subsystem weblog …` line and the embedded
// server both answer to it, and weblogctl asks for it first.
const SubsystemName = "weblog"

// ServerName is the server binary's name: the program a forced command
// runs, the name it recognises itself by in SSH_ORIGINAL_COMMAND, and the
// start of its messages.
const ServerName = "weblog-server"

// ErrorPrefix starts each of weblog-server's one-line errors on stderr
// (PROTOCOL.md §3.1); a client strips it to get the message.
const ErrorPrefix = ServerName + ": error: "

// Protocol is the protocol version that this package's grammar and frames
// describe (PROTOCOL.md §7). The server reports it to `version`; a client
// compares it with its own when a server refuses a request as malformed.
const Protocol = 1
