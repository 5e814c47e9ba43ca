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

// TestUsageHintNamesCommand: a command's usage error, whether urfave/cli
// or the command itself found it, points at that command's help, prints
// nothing on stdout and exits 2, before anything is dialed (the hosts
// here do not resolve).
func TestUsageHintNamesCommand(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		args []string
	}{
		{"stats", []string{"stats", "--by", "bogus", "nohost.invalid", "access"}},
		{"stats", []string{"stats", "--no-such-flag", "nohost.invalid"}},
		{"filter", []string{"filter", "--since", "2hours", "nohost.invalid", "access"}},
		{"fetch", []string{"fetch", "-j", "0", "nohost.invalid", "access"}},
		{"authorize", []string{"authorize", "--log", "access=/var/log/a.log"}},
	} {
		code, stdout, stderr := runWeblogctl(t, tt.args...)
		want := "weblogctl: hint: see weblogctl " + tt.cmd + " --help\n"
		if code != exitUsage || stdout != "" || !strings.HasSuffix(stderr, want) || strings.Count(stderr, "\n") != 2 {
			t.Errorf("weblogctl %s: status %d, stdout %q, stderr %q; want %d, nothing on stdout, one error line and %q",
				strings.Join(tt.args, " "), code, stdout, stderr, exitUsage, want)
		}
	}
}
