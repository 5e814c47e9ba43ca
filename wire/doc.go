// Package wire is the weblog protocol's grammar, shared by weblog-server and
// weblogctl: request lines (ParseRequest, Request.String), framed output
// (FrameWriter, FrameReader), exit statuses, the protocol's constants
// (SubsystemName, ErrorPrefix) and how both sides show text from the other
// to people (Sanitize). PROTOCOL.md at the
// repository root is the normative specification; this package implements
// it and does not repeat it.
package wire
