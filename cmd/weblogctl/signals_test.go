package main

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
)

// TestSignalExitStatus: a follow stopped by a signal exits with 128 + the
// signal's number, like a shell reports it: 130 for SIGINT, 143 for
// SIGTERM, 129 for SIGHUP.
func TestSignalExitStatus(t *testing.T) {
	f := startFleet(t, []string{"web1"}, fleetOptions{})
	for _, tt := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}, {syscall.SIGHUP, 129}} {
		cmd, _ := startFollow(t, f.config, "-n", "0", "web1")
		if err := cmd.Process.Signal(tt.sig); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != tt.want {
			t.Errorf("follow stopped by %v: %v, want exit status %d", tt.sig, err, tt.want)
		}
	}
}
