package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

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
	}
	for _, tt := range tests {
		got := intersperse(app, strings.Fields(tt.in))
		if !slices.Equal(got, strings.Fields(tt.want)) {
			t.Errorf("intersperse(%q) = %q, want %q", tt.in, strings.Join(got, " "), tt.want)
		}
	}
}
