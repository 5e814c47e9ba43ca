package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
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

// rotate shifts log.N to log.N+1 (highest first), then moves the live log
// to log.1 by rename (the writer must reopen) or, with copyTruncate, copies
// it to log.1 and truncates it in place, as logrotate does.
func rotate(t *testing.T, log string, copyTruncate bool) {
	t.Helper()
	n := 1
	for ; ; n++ {
		if _, err := os.Stat(fmt.Sprintf("%s.%d", log, n)); err != nil {
			break
		}
	}
	for i := n - 1; i >= 1; i-- {
		if err := os.Rename(fmt.Sprintf("%s.%d", log, i), fmt.Sprintf("%s.%d", log, i+1)); err != nil {
			t.Error(err)
		}
	}
	if !copyTruncate {
		if err := os.Rename(log, log+".1"); err != nil {
			t.Error(err)
		}
		return
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Error(err)
	}
	if err := os.WriteFile(log+".1", b, 0o644); err != nil {
		t.Error(err)
	}
	if err := os.Truncate(log, 0); err != nil {
		t.Error(err)
	}
}

// TestFollowExactlyOnce: 30,000 numbered lines written at ~3,000 lines/s
// while the log is rotated 3 times by rename+create and 3 times by
// copytruncate, and weblog-server is SIGKILLed 3 times: weblogctl follow
// prints every line exactly once, in order.
func TestFollowExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s of writing; not in -short")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	if err := os.WriteFile(log, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := deployment(t, "forced", log)
	_, out := startFollow(t, cfg, "--format", "raw", "-n", "0", "--heartbeat", "1s", "--keepalive", "1s", "web1", "access")

	const total = 30000
	events := map[int]string{
		3000: "rename", 5000: "kill", 8000: "copytruncate", 12000: "rename", 15000: "kill",
		17000: "copytruncate", 21000: "rename", 25000: "kill", 27000: "copytruncate",
	}
	writerDone := make(chan error, 1)
	kills := 0
	go func() {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			writerDone <- err
			return
		}
		tick := time.NewTicker(10 * time.Millisecond) // 30 lines per tick: 3,000 lines/s
		defer tick.Stop()
		for i := 1; i <= total; i++ {
			if _, err := fmt.Fprintf(f, "line %06d\n", i); err != nil {
				writerDone <- err
				return
			}
			switch events[i] {
			case "rename":
				rotate(t, log, false)
				f.Close()
				if f, err = os.OpenFile(log, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644); err != nil {
					writerDone <- err
					return
				}
			case "copytruncate":
				rotate(t, log, true) // the writer is paused meanwhile: nothing lost by logrotate itself
			case "kill":
				for _, pid := range serverProcesses(t, log) {
					if syscall.Kill(pid, syscall.SIGKILL) == nil {
						kills++
					}
				}
			}
			if i%30 == 0 {
				<-tick.C
			}
		}
		writerDone <- f.Close()
	}()

	got := make(chan error, 1)
	go func() {
		for i := 1; i <= total; i++ {
			l, err := out.ReadString('\n')
			if err != nil {
				got <- fmt.Errorf("after %d lines: %v", i-1, err)
				return
			}
			if want := fmt.Sprintf("line %06d\n", i); l != want {
				got <- fmt.Errorf("line %d of the output is %q, want %q", i, l, want)
				return
			}
		}
		got <- nil
	}()
	await(t, got, 90*time.Second, "not all 30,000 lines arrived within 90 s")
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}
	if kills != 3 {
		t.Fatalf("killed weblog-server %d times, want 3", kills)
	}
}

// TestFetchKilledThenRerun: a fetch -o of a 300 MB log SIGKILLed after
// 0.4 s leaves nothing at the final path; running it again completes it
// byte for byte (resuming the partial copy).
func TestFetchKilledThenRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("300 MB; not in -short")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	block := genLog(2500) // ~0.3 MB
	block = append(block, '\n')
	h := sha256.New()
	w := io.MultiWriter(f, h)
	for size := 0; size < 300<<20; size += len(block) {
		w.Write(block)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	want := h.Sum(nil)
	cfg := deployment(t, "forced", log)
	bin := buildBin(t, "weblogctl")
	copyPath := filepath.Join(t.TempDir(), "copy.log")

	cmd := exec.Command(bin, "-F", cfg, "fetch", "-o", copyPath, "web1", "access")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond) // the requirement: killed 0.4 s in
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(copyPath); !os.IsNotExist(err) {
		t.Fatalf("after SIGKILL the final path exists (%v)", err)
	}
	if out, err := exec.Command(bin, "-F", cfg, "fetch", "-o", copyPath, "web1", "access").CombinedOutput(); err != nil {
		t.Fatalf("second fetch: %v\n%s", err, out)
	}
	cf, err := os.Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer cf.Close()
	h.Reset()
	io.Copy(h, cf)
	if !bytes.Equal(h.Sum(nil), want) {
		t.Fatal("the completed copy differs from the log")
	}
	if entries, _ := os.ReadDir(filepath.Dir(copyPath)); len(entries) != 1 {
		t.Fatalf("%d entries beside the copy, want none (no partial file left)", len(entries)-1)
	}
}

// TestFollowIdleCPU: following an idle log for 10 s costs at most 0.1 s of
// CPU in weblogctl and in weblog-server.
func TestFollowIdleCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s; not in -short")
	}
	log := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(log, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := deployment(t, "forced", log)
	cmd, _ := startFollow(t, cfg, "-n", "0", "web1", "access")
	servers := serverProcesses(t, log)
	if len(servers) != 1 {
		t.Fatalf("%d server processes, want 1", len(servers))
	}
	c0, s0 := cpuTime(t, cmd.Process.Pid), cpuTime(t, servers[0])
	time.Sleep(10 * time.Second) // the measurement window itself
	c1, s1 := cpuTime(t, cmd.Process.Pid), cpuTime(t, servers[0])
	if c, s := c1-c0, s1-s0; c > 100*time.Millisecond || s > 100*time.Millisecond {
		t.Fatalf("10 s idle: weblogctl used %v CPU, weblog-server %v; want ≤ 100ms each", c, s)
	} else {
		t.Logf("10 s idle: weblogctl %v CPU, weblog-server %v", c, s)
	}
}

// cpuTime returns the user+system CPU time of process pid.
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the ")" that ends the command name: utime is the 12th
	// and stime the 13th of those.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

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
	stdout, stderr := startPiped(t, cmd)
	ready := awaitLine(stderr, func(l string) bool { return strings.Contains(l, "debug: following") }, "weblogctl ended before following")
	await(t, ready, 10*time.Second, "weblogctl did not start following within 10s")
	return cmd, bufio.NewReader(stdout)
}

// awaitLine reads r's lines until one satisfies match, then sends nil
// (and discards the rest of r); at r's end without one, it sends an
// error saying what, with the lines seen.
func awaitLine(r io.Reader, match func(string) bool, what string) <-chan error {
	ch := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(r)
		var seen []string
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if match(sc.Text()) {
				ch <- nil
				io.Copy(io.Discard, r)
				return
			}
		}
		ch <- fmt.Errorf("%s; stderr:\n%s", what, strings.Join(seen, "\n"))
	}()
	return ch
}

// startPiped starts cmd with pipes from its stdout and stderr; it is
// killed when the test ends.
func startPiped(t testing.TB, cmd *exec.Cmd) (stdout, stderr io.Reader) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err = cmd.StderrPipe()
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
	return stdout, stderr
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

// await fails the test with the error that ch delivers, or with timeout
// when none comes within d.
func await(t testing.TB, ch <-chan error, d time.Duration, timeout string) {
	t.Helper()
	select {
	case err := <-ch:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(d):
		t.Fatal(timeout)
	}
}
