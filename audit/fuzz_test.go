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

// FuzzKeysFromUserAuth checks the SSH_USER_AUTH parser: no panic, and a
// result made only of fingerprints.
func FuzzKeysFromUserAuth(f *testing.F) {
	f.Add([]byte("publickey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbZ8sDq2f9G3u6l0u2wCy1n1m2KxZ4hZcQYxM2b3d4e\n"))
	f.Add([]byte("password\npublickey x y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := keysFromUserAuth(data)
		if out == "" {
			return
		}
		for _, fp := range strings.Split(out, ",") {
			if !strings.HasPrefix(fp, "SHA256:") {
				t.Fatalf("not a fingerprint: %q", fp)
			}
			for _, c := range fp[len("SHA256:"):] {
				if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
					t.Fatalf("fingerprint %q holds %q", fp, c)
				}
			}
		}
	})
}
