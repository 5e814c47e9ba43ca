// Package accesslog parses and filters web-server access logs.
//
// It is shared by weblog-server, which filters lines where the log lives,
// and by weblogctl, which renders them. It does no I/O of its own.
//
// # Formats
//
// A [Format] describes one log layout: the built-in Apache common,
// combined, vhost_combined, nginx "main" and JSON-lines formats (see
// [Common], [Combined], [VHostCombined], [NginxMain], [JSON]), or one built
// from an Apache LogFormat or nginx log_format string by [ParseFormat].
// [Detect] picks a built-in format from a log's first lines.
//
// # Parsing
//
// A [Parser] turns one line into a [Record] without allocating: the
// Record's byte-slice fields are sub-slices of the line (valid only while
// the line is), and the Parser keeps the last timestamp it parsed, since
// consecutive lines usually share it. Fields keep the escaping of the log
// (\" and \xHH for text logs, JSON escapes for JSON lines); decode them on
// demand with [Escaping.AppendDecoded].
//
// A field logged as "-" (or missing from a JSON object, or "" in a JSON
// object) is nil; a text-log field logged as "" is empty but not nil.
//
// A line that does not match its format yields a [*ParseError] and a zero
// Record. Such lines are never to be dropped: callers pass them through
// raw.
//
// # Filtering
//
// A [FilterSpec] holds filter options as the user typed them
// (--status=404, --since=2h, ...); it converts to and from the
// --name=value tokens that travel on the wire ([FilterSpec.Args],
// [ParseFilterArgs]). [Compile] validates it into a [Filter] whose Match
// method is evaluated once per line.
//
// The rule for lines that do not parse: they match a Filter only if the
// Filter has no criterion that needs a parsed field, that is, when it has
// only --grep and --not-grep (or nothing at all). A Filter with no criteria
// matches every line, so filtering with no options reproduces a log byte
// for byte.
package accesslog
