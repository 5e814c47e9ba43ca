package audit

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSyslog(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	s := &SyslogWriter{tag: "weblog-test", network: "unixgram", addr: sock}
	// No daemon yet: an error, and a writer that keeps trying.
	if err := s.connect(); err == nil {
		t.Fatal("connect succeeded without a daemon")
	}
	if _, err := s.Write([]byte("lost\n")); err == nil {
		t.Fatal("Write succeeded without a daemon")
	}
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	l := New(s)
	if err := l.Log(Entry{Profile: "alice", Verb: "cat", Log: "x\ny", Result: Denied}); err != nil {
		t.Fatalf("Log once the daemon is up: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // a guard against a hang, not a sync point
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(buf[:n])
	// <facility authpriv (10) * 8 + severity info (6)> = <86>
	if !strings.HasPrefix(msg, "<86>") || !strings.Contains(msg, "weblog-test[") ||
		!strings.Contains(msg, ` profile=alice `) || !strings.Contains(msg, `log="x\ny"`) || strings.Count(msg, "\n") != 1 {
		t.Errorf("syslog got %q", msg)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

// TestSyslogLocal uses the host's syslog if there is one; either way it
// must not fail or panic.
func TestSyslogLocal(t *testing.T) {
	s, err := Syslog("weblog-test")
	if s == nil {
		t.Fatal("Syslog returned no writer")
	}
	if err != nil {
		t.Logf("no local syslog (%v): fine, the writer keeps trying", err)
		if _, err := os.Stat("/dev/log"); err == nil {
			t.Log("/dev/log exists but did not answer")
		}
	}
	s.Close()
}
