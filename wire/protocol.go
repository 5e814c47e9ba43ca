package wire

// SubsystemName is the SSH subsystem that speaks the weblog protocol
// (PROTOCOL.md §1): sshd's `Subsystem weblog …` line and the embedded
// server both answer to it, and weblogctl asks for it first.
const SubsystemName = "weblog"

// ErrorPrefix starts each of weblog-server's one-line errors on stderr
// (PROTOCOL.md §3.1); a client strips it to get the message.
const ErrorPrefix = "weblog-server: error: "

// Protocol is the protocol version that this package's grammar and frames
// describe (PROTOCOL.md §7). The server reports it to `version`; a client
// compares it with its own when a server refuses a request as malformed.
const Protocol = 1
