package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// command is exec.CommandContext with the harness's rules: the child is
// killed if the harness dies (Pdeathsig) and never sees an ssh-agent, so
// only the generated keys are used.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SSH_AUTH_SOCK=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// becomeSubreaper makes orphaned descendants (the processes sshd starts
// for sessions, whose parents may die first) children of this process,
// so that killDescendants still finds them.
func becomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// killDescendants kills, by process id, every process descended from
// this one, and reaps those that were re-parented to it.
func killDescendants() {
	self := os.Getpid()
	children := map[int][]int{}
	for _, p := range pids() {
		if pp := ppid(p); pp > 0 {
			children[pp] = append(children[pp], p)
		}
	}
	todo := children[self]
	for len(todo) > 0 {
		p := todo[0]
		todo = append(todo[1:], children[p]...)
		syscall.Kill(p, syscall.SIGKILL)
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
		if err != nil { // ECHILD: none left
			return
		}
		if pid == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// pids lists the process ids in /proc.
func pids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if p, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// ppid is the parent of process p, or 0 if p is gone.
func ppid(p int) int {
	n, _ := strconv.Atoi(statField(p, 4))
	return n
}

// reapedCPU is the user + system CPU time of the children that process
// p has waited for, and of theirs (cutime + cstime in /proc/p/stat).
// For sshd that is every finished connection, server side entire.
func reapedCPU(p int) time.Duration {
	const ticks = 100 // USER_HZ: the unit of /proc's times on Linux
	u, _ := strconv.ParseInt(statField(p, 16), 10, 64)
	s, _ := strconv.ParseInt(statField(p, 17), 10, 64)
	return time.Duration(u+s) * time.Second / ticks
}

// settledReapedCPU waits (up to 2 s) until reapedCPU(p) has grown past
// before and stopped changing, i.e. the connection that just ended has
// been reaped all the way up, and returns it.
func settledReapedCPU(p int, before time.Duration) time.Duration {
	last := reapedCPU(p)
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		cur := reapedCPU(p)
		if cur == last && cur > before {
			return cur
		}
		last = cur
	}
	return last
}

// statField is field n (1-based, as in proc(5)) of /proc/p/stat, or "".
func statField(p, n int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/stat")
	if err != nil {
		return ""
	}
	// pid (comm) state …; comm may contain spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || n < 3 {
		return ""
	}
	f := strings.Fields(string(b[i+1:]))
	if n-3 >= len(f) {
		return ""
	}
	return f[n-3]
}

// hwmSampler watches for processes running one executable and records
// the largest peak resident set size (VmHWM) any of them reached. A
// process that grows in its last moments, between two samples, is
// under-reported by at most one sampling interval's growth.
type hwmSampler struct {
	exe  string
	stop chan struct{}
	done chan struct{}

	mu   sync.Mutex
	peak int64 // bytes
	seen int   // processes found
}

// sampleHWM starts sampling every 20 ms until Stop.
func sampleHWM(exe string) *hwmSampler {
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	s := &hwmSampler{exe: exe, stop: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *hwmSampler) run() {
	defer close(s.done)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	known := map[int]bool{}
	for {
		for _, p := range pids() {
			dir := "/proc/" + strconv.Itoa(p)
			if exe, err := os.Readlink(dir + "/exe"); err != nil || exe != s.exe {
				continue
			}
			if hwm := vmHWM(dir + "/status"); hwm > 0 {
				s.mu.Lock()
				if !known[p] {
					known[p] = true
					s.seen++
				}
				s.peak = max(s.peak, hwm)
				s.mu.Unlock()
			}
		}
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// Stop ends sampling and returns the peak in bytes and how many
// processes were seen.
func (s *hwmSampler) Stop() (peak int64, seen int) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.seen
}

// vmHWM reads the VmHWM line of a /proc/PID/status file, in bytes.
func vmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}

// maxRSS is the peak resident set size of a finished child (and of the
// descendants it waited for), in bytes.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // KiB on Linux
	}
	return 0
}
