package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// TestFollowAppended: lines appended after `follow -n 0` started arrive
// exactly and in order, within 10 s, under both deployments.
func TestFollowAppended(t *testing.T) {
	for _, mode := range []string{"forced", "subsystem"} {
		t.Run(mode, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "access.log")
			if err := os.WriteFile(log, genLog(50), 0o644); err != nil {
				t.Fatal(err)
			}
			// genLog leaves the last line open; complete it so it is history.
			appendTo(t, log, "\n")
			cfg := deployment(t, mode, log)
			_, out := startFollow(t, cfg, "--format", "raw", "-n", "0", "web1", "access")

			var want bytes.Buffer
			for i := 1; i <= 200; i++ {
				line := fmt.Sprintf("appended line %d\n", i)
				want.WriteString(line)
				appendTo(t, log, line)
			}
			got := make(chan []byte, 1)
			go func() {
				b := make([]byte, want.Len())
				n, _ := io.ReadFull(out, b)
				got <- b[:n]
			}()
			select {
			case b := <-got:
				if !bytes.Equal(b, want.Bytes()) {
					t.Fatalf("follow printed %q…, want the 200 appended lines", b[:min(len(b), 200)])
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the 200 appended lines did not arrive within 10s")
			}
		})
	}
}

// TestFollowClientKilled: SIGKILLing weblogctl while it follows an idle log
// leaves no weblog-server behind after 2 s.
func TestFollowClientKilled(t *testing.T) {
	for _, mode := range []string{"forced", "subsystem"} {
		t.Run(mode, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "access.log")
			if err := os.WriteFile(log, []byte("one\ntwo\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := deployment(t, mode, log)
			cmd, _ := startFollow(t, cfg, "-n", "0", "web1", "access")
			servers := serverProcesses(t, log)
			if len(servers) == 0 {
				t.Fatal("no weblog-server process found while following")
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			cmd.Wait()
			deadline := time.Now().Add(2 * time.Second)
			for len(serverProcesses(t, log)) > 0 {
				if time.Now().After(deadline) {
					t.Fatalf("weblog-server %v still running 2s after weblogctl was killed", serverProcesses(t, log))
				}
				time.Sleep(20 * time.Millisecond) // polling /proc: there is no event for another process's exit
			}
		})
	}
}

// TestSSHNoStdinKeepsStreaming: `ssh -n web1 follow access` (stdin at EOF
// from the start) keeps printing appended lines.
func TestSSHNoStdinKeepsStreaming(t *testing.T) {
	sshBin := sshdtest.Require(t, "ssh", "/usr/bin/ssh")
	log := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(log, []byte("history\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := deployment(t, "forced", log)
	cmd := exec.Command(sshBin, "-n", "-F", cfg, "web1", "follow", "-n", "1", "access")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	out := bufio.NewReader(stdout)
	lines := make(chan string)
	go func() {
		for {
			l, err := out.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- l
		}
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("ssh -n ended early; stderr: %s", stderr.String())
			}
			if l != want {
				t.Fatalf("got %q, want %q", l, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no line %q within 10s; stderr: %s", want, stderr.String())
		}
	}
	expect("history\n") // the server is now following
	for i := range 3 {
		l := fmt.Sprintf("new %d\n", i)
		appendTo(t, log, l)
		expect(l)
	}
}
