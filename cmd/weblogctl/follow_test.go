package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// deployment starts sshd with weblog-server serving access=LOG in the given
// mode ("forced" or "subsystem") and returns an ssh_config with alias web1.
func deployment(t *testing.T, mode, log string) string {
	t.Helper()
	cmdline := buildBin(t, "weblog-server") + " --log access=" + log
	var opt sshdtest.Options
	switch mode {
	case "forced":
		opt.KeyOptions = "restrict,command=" + strconv.Quote(cmdline)
	case "subsystem":
		opt.Subsystem = cmdline
	}
	s := sshdtest.Start(t, opt)
	cfg, err := s.SSHConfig("web1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startFollow runs `weblogctl -v -F cfg follow ARGS…` and returns once the
// server has fixed its start position (weblogctl -v says so on stderr),
// with a reader of its stdout.
func startFollow(t *testing.T, cfg string, args ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(buildBin(t, "weblogctl"), append([]string{"-v", "-F", cfg, "follow"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var seen []string
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if strings.Contains(sc.Text(), "debug: following") {
				ready <- nil
				io.Copy(io.Discard, stderr)
				return
			}
		}
		ready <- fmt.Errorf("weblogctl ended before following; stderr:\n%s", strings.Join(seen, "\n"))
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("weblogctl did not start following within 10s")
	}
	return cmd, bufio.NewReader(stdout)
}

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
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
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

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// serverProcesses returns the pids of weblog-server processes serving log.
func serverProcesses(t *testing.T, log string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if filepath.Base(args[0]) == "weblog-server" && strings.Contains(string(cmdline), log) {
			pids = append(pids, pid)
		}
	}
	return pids
}
