package main

import (
	"strings"
	"testing"
)

// TestHelpExitStatus: help and unknown commands exit with the documented
// statuses (testscript sees only zero or not).
func TestHelpExitStatus(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		status int
	}{
		{[]string{"help", "follow"}, 0},
		{[]string{"help"}, 0},
		{nil, 0},
		{[]string{"folow", "web1"}, exitUsage},
		{[]string{"help", "bogus"}, exitUsage},
		{[]string{"help", "docs"}, exitUsage}, // hidden
		{[]string{"help", "ls", "fetch"}, exitUsage},
	} {
		code, stdout, stderr := runWeblogctl(t, tt.args...)
		if code != tt.status {
			t.Errorf("weblogctl %s: status %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.status, stderr)
		}
		if tt.status != 0 && (stdout != "" || strings.Count(stderr, "\n") != 2) {
			t.Errorf("weblogctl %s: stdout %q, stderr %q: want one error line and a hint", strings.Join(tt.args, " "), stdout, stderr)
		}
	}
}
