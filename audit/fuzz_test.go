package audit

import (
	"strings"
	"testing"
	"time"
)

// FuzzAppendLine checks that any entry makes exactly one line of
// printable ASCII from which every field reads back.
func FuzzAppendLine(f *testing.F) {
	f.Add("alice", "cat", "access", "cat access\r\n2026-01-01T00:00:00Z forged ok", "\x1b[2J", int64(5), int64(time.Second))
	f.Add("", "", "", "", "", int64(-1), int64(-1))
	f.Fuzz(func(t *testing.T, profile, verb, log, request, reason string, n, d int64) {
		e := Entry{Time: when, Profile: profile, Verb: verb, Log: log, Request: request, Reason: reason, Bytes: n, Duration: time.Duration(d), Result: Error}
		line := string(AppendLine(nil, e))
		checkLine(t, line)
		got := parseLine(t, line)
		for name, want := range map[string]string{"profile": profile, "verb": verb, "log": log, "request": request, "reason": reason} {
			if len(want) > MaxField {
				if !strings.HasSuffix(got[name], "...") || !strings.HasPrefix(want, strings.TrimSuffix(got[name], "...")) {
					t.Fatalf("%s: %q, cut from %q", name, got[name], want)
				}
				continue
			}
			if got[name] != want {
				t.Fatalf("%s = %q, want %q (line %q)", name, got[name], want, line)
			}
		}
	})
}
