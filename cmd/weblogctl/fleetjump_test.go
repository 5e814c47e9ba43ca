package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// TestFleetProxyJump: hosts reachable only through OpenSSH jump hosts
// (one, or a chain of two) work, alone and in a fleet; ProxyJump none
// connects directly, which these hosts refuse; a jump host whose key is
// not known is refused.
func TestFleetProxyJump(t *testing.T) {
	jump1 := sshdtest.Start(t, sshdtest.Options{})
	jump2 := sshdtest.Start(t, sshdtest.Options{})
	jumpBlock := func(alias string, s *sshdtest.Server, known string) string {
		return fmt.Sprintf("Host %s\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile %s\n  UserKnownHostsFile %s\n  ProxyJump none\n",
			alias, s.Port, s.User, s.ClientKey, known)
	}
	var refused atomic.Int32
	f := startFleet(t, []string{"hidden", "hidden2", "direct", "badjump"}, fleetOptions{
		listen: func(l net.Listener) net.Listener { return &jumpOnlyListener{Listener: l, refused: &refused} },
		extraConfig: jumpBlock("jump1", jump1, jump1.KnownHosts) +
			jumpBlock("jump2", jump2, jump2.KnownHosts) +
			jumpBlock("strangejump", jump1, jump2.KnownHosts) + // jump1 under jump2's known key
			"Host hidden\n  ProxyJump jump1\n" +
			"Host hidden2\n  ProxyJump jump1,jump2\n" +
			"Host badjump\n  ProxyJump strangejump\n" +
			"Host *\n  ProxyJump none\n",
	})

	// One host through one jump host: the single-host form.
	code, stdout, stderr := runWeblogctl(t, "-F", f.config, "fetch", "hidden", "access")
	if want, _ := os.ReadFile(f.logs["hidden"]); code != 0 || stdout != string(want) {
		t.Fatalf("fetch hidden access: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if refused.Load() != 0 {
		t.Fatalf("%d direct connections refused already", refused.Load())
	}

	// A fleet: through one jump host, through a chain of two, directly
	// (refused) and through a jump host with an unknown key (refused).
	dir := t.TempDir()
	code, stdout, stderr = runWeblogctl(t, "-F", f.config, "fetch", "-o", dir, "--log", "access", "hidden", "hidden2", "direct", "badjump")
	if code != 255 || stdout != "" {
		t.Errorf("fetch -o: exit %d, want 255; stdout %q", code, stdout)
	}
	for _, h := range []string{"hidden", "hidden2"} {
		got, err := os.ReadFile(filepath.Join(dir, h, "access"))
		if want, _ := os.ReadFile(f.logs[h]); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: fetched %d bytes (%v), want %d", h, len(got), err, len(want))
		}
	}
	if !strings.Contains(stderr, "weblogctl: error: direct: ") || !strings.Contains(stderr, "weblogctl: error: badjump: ") ||
		strings.Count(stderr, "weblogctl: error:") != 2 {
		t.Errorf("stderr:\n%s", stderr)
	}
	if !strings.Contains(stderr, "jump host strangejump") || !strings.Contains(stderr, "host key") {
		t.Errorf("the unknown jump host key is not what failed badjump:\n%s", stderr)
	}
	if refused.Load() != 1 {
		t.Errorf("%d direct connections refused, want 1 (direct)", refused.Load())
	}
}

// jumpOnlyListener refuses connections that come straight from this test
// process, so that its server is reachable only through a jump host (an
// sshd, another process).
type jumpOnlyListener struct {
	net.Listener
	refused *atomic.Int32
}

func (l *jumpOnlyListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		_, port, _ := net.SplitHostPort(c.RemoteAddr().String())
		if ownsLocalPort(port) {
			l.refused.Add(1)
			c.Close()
			continue
		}
		return c, nil
	}
}

// ownsLocalPort reports whether a TCP socket of this process has the
// local port port (decimal).
func ownsLocalPort(port string) bool {
	p, err := strconv.Atoi(port)
	if err != nil {
		return false
	}
	mine := map[string]bool{}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		link, err := os.Readlink("/proc/self/fd/" + fd.Name())
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			mine[strings.TrimSuffix(inode, "]")] = true
		}
	}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, _ := os.ReadFile(table)
		for line := range strings.SplitSeq(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 10 {
				continue
			}
			_, hexPort, ok := strings.Cut(f[1], ":")
			local, err := strconv.ParseUint(hexPort, 16, 16)
			if ok && err == nil && int(local) == p && mine[f[9]] {
				return true
			}
		}
	}
	return false
}
