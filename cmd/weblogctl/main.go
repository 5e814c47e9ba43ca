// Command weblogctl watches, filters and copies web-server access logs on
// remote hosts over SSH, through weblog-server on the far side.
//
// Output rules (every command follows them):
//   - stdout carries only what was asked for: log bytes, listings. Nothing
//     else, ever, so `weblogctl fetch web1 > copy.log` is the log.
//   - Errors go to stderr as `weblogctl: error: WHAT`, optionally followed
//     by `weblogctl: hint: WHAT TO DO`, and the exit status is non-zero:
//     1 local failure, 2 usage, 3 log unavailable (no such log or not
//     allowed), 4 remote I/O error, 5 remote limit, 255 could not connect
//     (like ssh); stopped by a signal, 128 + its number (130 Ctrl-C,
//     143 SIGTERM, 129 SIGHUP).
//   - Text from the remote side is printed with control bytes replaced.
package main

import (
	"context"
	"os"
)

// Exit statuses beyond the remote ones of PROTOCOL.md §5.
const (
	exitLocal   = 1
	exitUsage   = 2
	exitConnect = 255
	// exitInterrupted is Ctrl-C's; run makes it the signal's (signals.go).
	exitInterrupted = 130
)

func main() {
	ctx, stop := signalContext(context.Background())
	defer stop()
	os.Exit(run(ctx, os.Args, os.Stdout, os.Stderr))
}
