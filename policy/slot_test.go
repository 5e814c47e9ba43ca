package policy

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

func TestAcquireSlotGoroutines(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "slots")
	const max, tries = 3, 12
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		releases []func()
		refused  int
	)
	start := make(chan struct{})
	for i := 0; i < tries; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			release, err := AcquireSlot(dir, "alice", max)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				releases = append(releases, release)
			case errors.Is(err, ErrTooManySessions):
				refused++
			default:
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(releases) != max || refused != tries-max {
		t.Fatalf("%d acquired, %d refused; want %d and %d", len(releases), refused, max, tries-max)
	}
	// Another profile has slots of its own.
	other, err := AcquireSlot(dir, "bob", 1)
	if err != nil {
		t.Fatalf("other profile: %v", err)
	}
	other()
	releases[0]()
	release, err := AcquireSlot(dir, "alice", max)
	if err != nil {
		t.Fatalf("after a release: %v", err)
	}
	release()
	for _, r := range releases[1:] {
		r()
	}
}

func TestAcquireSlotNoLimit(t *testing.T) {
	release, err := AcquireSlot("relative/is/not/even/looked/at", "../bad", 0)
	if err != nil {
		t.Fatal(err)
	}
	release()
}

func TestAcquireSlotErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ dir, profile string }{
		{"relative", "alice"},
		{dir, "../alice"},
		{dir, ""},
		{filepath.Join(dir, "missing", "parent"), "alice"},
	} {
		if release, err := AcquireSlot(tt.dir, tt.profile, 1); err == nil {
			release()
			t.Errorf("AcquireSlot(%q, %q) succeeded", tt.dir, tt.profile)
		}
	}
	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o777)
	if _, err := AcquireSlot(open, "alice", 1); err == nil {
		t.Error("AcquireSlot accepted a world-writable directory")
	}
	link := filepath.Join(dir, "link")
	os.Mkdir(filepath.Join(dir, "target"), 0o700)
	os.Symlink(filepath.Join(dir, "target"), link)
	if _, err := AcquireSlot(link, "alice", 1); err == nil {
		t.Error("AcquireSlot followed a symlinked directory")
	}
	good := filepath.Join(dir, "good")
	os.Mkdir(good, 0o700)
	os.Symlink("/etc/passwd", filepath.Join(good, "alice")) // a planted profile directory
	if _, err := AcquireSlot(good, "alice", 1); err == nil {
		t.Error("AcquireSlot followed a symlinked profile directory")
	}
}

// TestAcquireSlotProcesses holds slots in other processes, as sshd's
// sessions do, and checks that a slot comes back when its process ends,
// even by SIGKILL.
func TestAcquireSlotProcesses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "slots")
	hold := func() (*exec.Cmd, func()) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSlotHelper$")
		cmd.Env = append(os.Environ(), "WEBLOG_SLOT_HELPER="+dir)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "acquired\n" {
			t.Fatalf("helper said %q, %v", line, err)
		}
		return cmd, func() { stdin.Close() }
	}
	a, releaseA := hold()
	b, _ := hold()
	if _, err := AcquireSlot(dir, "alice", 2); !errors.Is(err, ErrTooManySessions) {
		t.Fatalf("third session: %v, want ErrTooManySessions", err)
	}
	releaseA()
	if err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	release, err := AcquireSlot(dir, "alice", 2)
	if err != nil {
		t.Fatalf("after a session ended: %v", err)
	}
	b.Process.Kill()
	b.Wait()
	release2, err := AcquireSlot(dir, "alice", 2)
	if err != nil {
		t.Fatalf("after a session was killed: %v", err)
	}
	release()
	release2()
}

// TestSlotHelper is the other process of TestAcquireSlotProcesses: it
// takes a slot, says so, and holds it until its stdin ends.
func TestSlotHelper(t *testing.T) {
	dir := os.Getenv("WEBLOG_SLOT_HELPER")
	if dir == "" {
		t.Skip("helper process only")
	}
	release, err := AcquireSlot(dir, "alice", 2)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("acquired")
	bufio.NewReader(os.Stdin).ReadString('\n')
	release()
	os.Exit(0)
}

func TestDefaultSlotDir(t *testing.T) {
	d := DefaultSlotDir()
	if !filepath.IsAbs(d) {
		t.Errorf("DefaultSlotDir = %q", d)
	}
	if os.Geteuid() != 0 && filepath.Base(d) != "weblog-server" && filepath.Base(d) != "weblog-server-"+strconv.Itoa(os.Geteuid()) {
		t.Errorf("DefaultSlotDir = %q", d)
	}
}
