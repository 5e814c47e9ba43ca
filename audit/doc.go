// Package audit records every request weblog-server serves or refuses,
// one line per request, in a file, syslog, or any io.Writer.
//
// A line looks like this (one line; wrapped here):
//
//	2026-05-17T10:05:03.250Z profile=alice key=SHA256:Vb6r… client=203.0.113.7:52144
//	  verb=cat log=access bytes=5120 duration=0.012s result=ok reason="" request=""
//
// The keys are always present and always in this order. A session that
// logged in with an OpenSSH certificate adds cert_id=… cert_serial=N at
// the end. A value is
// written bare when it consists only of letters, digits and ._:/@+,-[]
// (and is not empty); otherwise it is quoted as Go's strconv.QuoteToASCII
// does. So a line holds only printable ASCII and ends with its one "\n":
// no client-supplied text (a request, a log name, a reason quoting
// either) can start a new line, forge a record, or send escape sequences
// to a terminal that displays the log.
//
// Each line is written with a single Write; on a file opened with
// OpenFile (O_APPEND) that is a single write(2), so the lines of
// concurrent server processes never interleave.
package audit
