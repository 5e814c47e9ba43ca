// Package render writes access-log lines for people and programs.
//
// A [Renderer] is chosen by name ([New]) and called once per line with the
// line and its parse result from package accesslog. Output rules:
//
//   - raw writes the line's exact bytes, ending with a newline only if the
//     line had one. With Options.Terminal it neutralises control bytes as
//     pretty does (and the output is no longer byte-exact).
//   - pretty writes one aligned line per hit: time, status (coloured by
//     class when Options.Color is set), method, size, path and a
//     shortened referrer. A line that does not parse is shown as it is.
//     Control bytes, escape sequences, bidi and other format characters
//     and invalid UTF-8 from the log never reach the output raw: they are
//     shown as wire.Sanitize shows them, \xHH (ESC as \x1b) or \uXXXX.
//   - json writes one object per line (see [New] for its members). Strings
//     are valid UTF-8: each byte of invalid UTF-8 becomes U+FFFD, as with
//     encoding/json; the characters wire.Unsafe reports (controls, DEL,
//     C1 controls, bidi and other format characters) are written as
//     \uXXXX escapes, so the output is also safe
//     to print on a terminal. A line that does not parse becomes
//     {"raw": LINE, "error": MESSAGE}, plus "raw_base64" with the exact
//     bytes when LINE is not valid UTF-8.
//   - referrers writes "REFERRER --> RESOURCE" for each hit with status 200
//     and a referrer (not "-", not empty), as the seed article's monitor
//     did, and nothing for any other line.
//
// Whether to use colour is the caller's decision (a terminal, NO_COLOR).
// A Renderer writes each output line with one Write call and is not safe
// for concurrent use.
package render
