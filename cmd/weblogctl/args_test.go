package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/internal/cliargs"
)

// TestIntersperse: weblogctl's own flags move as ssh users expect.
func TestIntersperse(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	tests := []struct{ in, want string }{
		{"weblogctl filter web1 --status 404 --since 2h", "weblogctl filter --status 404 --since 2h web1"},
		{"weblogctl -F cfg filter web1 access --format=json --has-referrer", "weblogctl -F cfg filter --format=json --has-referrer web1 access"},
		{"weblogctl -v follow web1 -n 0 --format raw", "weblogctl -v follow -n 0 --format raw web1"},
		{"weblogctl fetch web1 -o copy.log", "weblogctl fetch -o copy.log web1"},
		{"weblogctl filter --status 404 web1", "weblogctl filter --status 404 web1"},
		{"weblogctl filter web1 -- --status", "weblogctl filter web1 -- --status"},
		{"weblogctl nosuch web1 --x", "weblogctl nosuch web1 --x"},
		{"weblogctl", "weblogctl"},
		// ssh's global options after the subcommand, glued values split
		{"weblogctl fetch -p 2299 web1", "weblogctl -p 2299 fetch web1"},
		{"weblogctl fetch web1 -p2299 -i key -l bob -F cfg -v -o x", "weblogctl -p 2299 -i key -l bob -F cfg -v fetch -o x web1"},
		{"weblogctl follow -n2 web1", "weblogctl follow -n 2 web1"},
		{"weblogctl -p2299 follow web1 -n2 -j4", "weblogctl -p 2299 follow -n 2 -j 4 web1"},
		{"weblogctl follow --path /x -path /y web1", "weblogctl follow --path /x -path /y web1"},
		{"weblogctl follow -n=2 web1", "weblogctl follow -n=2 web1"},
		{"weblogctl follow web1 -- -p 1", "weblogctl follow web1 -- -p 1"},
	}
	for _, tt := range tests {
		got := cliargs.Intersperse(app, strings.Fields(tt.in))
		if !slices.Equal(got, strings.Fields(tt.want)) {
			t.Errorf("intersperse(%q) = %q, want %q", tt.in, strings.Join(got, " "), tt.want)
		}
	}
}
