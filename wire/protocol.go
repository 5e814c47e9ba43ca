package wire

// Protocol is the protocol version that this package's grammar and frames
// describe (PROTOCOL.md §7). The server reports it to `version`; a client
// compares it with its own when a server refuses a request as malformed.
const Protocol = 1
