package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestFetchProgressOnTTY: on a terminal, fetch -o shows the size, the
// percentage and the time left while it copies; interrupted (the server
// stalls it after 512 KiB), it says that the partial copy is kept and a
// rerun resumes; the rerun with -v says from which byte it resumed and
// ends with a one-line summary.
func TestFetchProgressOnTTY(t *testing.T) {
	content := genHostLog("web1", 40000)
	g := &stallGate{open: make(chan struct{}), limit: 512 << 10}
	f := startFleet(t, []string{"web1"}, fleetOptions{
		logs:   func(string) []byte { return content },
		listen: func(l net.Listener) net.Listener { return &stallListener{Listener: l, g: g} },
	})
	bin := buildBin(t, "weblogctl")
	dir := t.TempDir()
	copyPath := filepath.Join(dir, "copy.log")

	master, tty := openPTY(t)
	cmd := exec.Command(bin, "-F", f.config, "--compress", "none", "fetch", "-o", copyPath, "web1")
	cmd.Stdout, cmd.Stderr = tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	tty.Close()
	term := newStderrWatch()
	read := make(chan struct{})
	go func() {
		io.Copy(term, master)
		close(read)
	}()
	total := size(int64(len(content)))
	term.waitCount(t, " of "+total+" (", 1, 30*time.Second)
	if s := term.String(); !strings.Contains(s, "ETA ") || !strings.Contains(s, "/s") {
		t.Errorf("progress line without rate or ETA: %q", s)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	<-read
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("interrupted fetch: %v, want exit status 130", err)
	}
	part := filepath.Join(dir, ".copy.log.part")
	st, serr := os.Stat(part)
	if serr != nil || st.Size() == 0 {
		t.Fatalf("no partial copy kept: %v", serr)
	}
	want := fmt.Sprintf("weblogctl: interrupted; the partial copy %s (%d bytes) is kept: run the same command again to resume", part, st.Size())
	if s := term.String(); !strings.Contains(s, want) {
		t.Errorf("terminal after the interrupt:\n%q\nwant %q", s, want)
	}

	close(g.open)
	out, err := runOnTTY(t, exec.Command(bin, "-v", "-F", f.config, "--compress", "none", "fetch", "-o", copyPath, "web1"), 30*time.Second)
	if err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("resuming the partial copy at byte %d of %d", st.Size(), len(content)); !strings.Contains(out, want) {
		t.Errorf("rerun -v does not say %q:\n%s", want, out)
	}
	if want := fmt.Sprintf(", resumed at byte %d\r\n", st.Size()); !strings.Contains(out, "web1: ") || !strings.Contains(out, want) {
		t.Errorf("no summary line ending %q:\n%q", want, out)
	}
	got, err := os.ReadFile(copyPath)
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("the copy differs from the log (%v)", err)
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Errorf("the partial copy is still there (%v)", err)
	}
}

// TestFetchPartialHint: a fetch -o whose connection is lost says, after
// the error, that the partial copy is kept (also without a terminal).
// --compress none: the gate counts the log's bytes, which compression
// (chosen on a slow loopback round trip when the machine is busy) would
// shrink below the cut. A cut seen as EPIPE on the socket must not pass
// for a closed stdout (exit 0, nothing said), as it once did.
func TestFetchPartialHint(t *testing.T) {
	content := genHostLog("web1", 40000)
	g := &stallGate{open: make(chan struct{}), limit: 512 << 10, cut: true}
	f := startFleet(t, []string{"web1"}, fleetOptions{
		logs:   func(string) []byte { return content },
		listen: func(l net.Listener) net.Listener { return &stallListener{Listener: l, g: g} },
	})
	copyPath := filepath.Join(t.TempDir(), "copy.log")
	code, _, stderr := runWeblogctl(t, "-F", f.config, "--compress", "none", "fetch", "-o", copyPath, "web1")
	if code == 0 || !strings.Contains(stderr, "weblogctl: hint: the partial copy ") || !strings.Contains(stderr, "is kept: run the same command again to resume") {
		fi, _ := os.Stat(copyPath)
		t.Errorf("lost connection: exit %d, copy %v of %d bytes, stderr:\n%s", code, fi, len(content), stderr)
	}
}

// stallGate holds every server connection's writes after limit bytes
// until open is closed, or with cut closes the connection there.
type stallGate struct {
	open  chan struct{}
	limit int64
	cut   bool
}

// stallListener applies its gate to each connection it accepts.
type stallListener struct {
	net.Listener
	g *stallGate
}

func (l *stallListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &stallConn{Conn: c, g: l.g, closed: make(chan struct{})}, nil
}

// stallConn is a server connection behind a stallGate.
type stallConn struct {
	net.Conn
	g       *stallGate
	written atomic.Int64
	closed  chan struct{}
	once    sync.Once
}

func (c *stallConn) Write(p []byte) (int, error) {
	if c.written.Load() > c.g.limit {
		if c.g.cut {
			// FIN, not Close: a close with unread input sends a reset,
			// which makes the client's kernel drop what it has not read
			// yet (on a busy machine, all of it).
			if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			} else {
				c.Close()
			}
			return 0, net.ErrClosed
		}
		select {
		case <-c.g.open:
		case <-c.closed:
			return 0, net.ErrClosed
		}
	}
	c.written.Add(int64(len(p)))
	return c.Conn.Write(p)
}

func (c *stallConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// size is fleet's formatting of a byte count, as the progress line shows it.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
