package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/render"
	"github.com/weblogctl/weblogctl/wire"
)

// TestHostileTextEveryPath drives one table of hostile text through every
// way weblogctl shows remote or user-supplied text to a person: pretty,
// referrers and raw output on a terminal, an error message from the
// server, an ls listing and host labels. Each must show it the same way
// (wire.Sanitize's escapes) and let nothing unsafe through.
func TestHostileTextEveryPath(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ESC", "\x1b[2J", `\x1b[2J`},
		{"OSC title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"CR", "x\rover", `x\x0dover`},
		{"C1 CSI", "\u009b31m", `\u009b31m`},
		{"raw C1 byte", "\x9b31m", `\x9b31m`},
		{"RLO", "gpj.\u202eexe", `gpj.\u202eexe`},
		{"bidi isolates", "\u2066a\u2069\u200f", `\u2066a\u2069\u200f`},
		{"zero width", "a\u200bb\ufeff", `a\u200bb\ufeff`},
		{"DEL BS", "a\x7f\x08", `a\x7f\x08`},
		{"line separator", "a\u2028b", `a\u2028b`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wire.Sanitize(tc.in); got != tc.want {
				t.Fatalf("wire.Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
			line := `203.0.113.9 - - [17/May/2015:10:05:03 +0000] "GET /p` + tc.in + ` HTTP/1.1" 200 10 "http://r.example/` + tc.in + `" "ua"` + "\n"
			paths := map[string]string{
				"pretty":    renderTerminal(t, "pretty", "", line),
				"unparsed":  renderTerminal(t, "pretty", "", "junk "+tc.in+"\n"),
				"referrers": renderTerminal(t, "referrers", "", line),
				"raw":       renderTerminal(t, "raw", "", line),
				"label":     renderTerminal(t, "pretty", "web"+tc.in, line),
				"error":     serverError(t, tc.in),
				"ls":        listing(t, tc.in),
				"fleet":     fleetLabels(t, "web"+tc.in, line),
			}
			for path, out := range paths {
				want := tc.want
				if path == "error" {
					// An E frame is JSON, which carries no invalid UTF-8:
					// the server's encoding/json sends U+FFFD instead.
					want = wire.Sanitize(strings.ToValidUTF8(tc.in, "\ufffd"))
				}
				if !strings.Contains(out, want) {
					t.Errorf("%s: %q does not show %q", path, out, want)
				}
				if bad := unsafeIn(out); bad != "" {
					t.Errorf("%s: %q lets %s through", path, out, bad)
				}
			}
		})
	}
}

// renderTerminal renders line as weblogctl does for a terminal without
// colour.
func renderTerminal(t *testing.T, format, label, line string) string {
	t.Helper()
	var out bytes.Buffer
	p, err := fleet.MakeLinePrinter(&out, format, render.Options{Terminal: true, Label: label}, accesslog.Format{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Lines([]byte(line)); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// serverError is what weblogctl prints when a server answers ls with an
// error frame whose message holds s.
func serverError(t *testing.T, s string) string {
	t.Helper()
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	go func() {
		if _, err := bufio.NewReader(reqR).ReadString('\n'); err != nil {
			respW.CloseWithError(err)
			return
		}
		err := wire.NewFrameWriter(respW).WriteJSON(wire.FrameError, wire.ErrorPayload{Status: wire.StatusIO, Message: "read " + s})
		respW.CloseWithError(err)
	}()
	_, err := client.NewPipe(respR, reqW).List(context.Background())
	var we *wire.Error
	if !errors.As(err, &we) {
		t.Fatalf("List: %v, want a *wire.Error", err)
	}
	var stderr bytes.Buffer
	if status := report(&stderr, err); status != int(wire.StatusIO) {
		t.Errorf("report: status %d, want %d", status, wire.StatusIO)
	}
	return stderr.String()
}

// listing is weblogctl's ls output for a log whose name and mtime hold s.
func listing(t *testing.T, s string) string {
	t.Helper()
	var out bytes.Buffer
	fleet.WriteLogs(&out, "", []wire.LogInfo{{Name: "access" + s, Size: 1, MTime: s}})
	return out.String()
}

// fleetLabels renders line as one of two hosts, the first called host.
func fleetLabels(t *testing.T, host, line string) string {
	t.Helper()
	var out bytes.Buffer
	fp, err := fleet.NewPrinter(&out, fleet.PrinterOptions{Format: "raw", Labels: []string{host, "web2"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := fp.Lines(0, []byte("x\n")); err != nil {
		t.Fatal(err)
	}
	if err := fp.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// unsafeIn names the first character of out (other than LF and TAB) that
// a terminal could act on, or "".
func unsafeIn(out string) string {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return "invalid UTF-8"
		case wire.Unsafe(r) && r != '\n' && r != '\t':
			return wire.Sanitize(string(r))
		}
		i += size
	}
	return ""
}
