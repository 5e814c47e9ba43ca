package sshserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/subsystem"
)

// testLog is the access log every test server serves as "access": 30
// combined-format lines, the last ten of which a shell shows. Line 25
// carries an escape sequence, which a terminal must not receive raw.
var testLog = func() []byte {
	var b bytes.Buffer
	for i := range 30 {
		ua := "Mozilla/5.0 (X11; Linux x86_64)"
		if i == 25 {
			ua = "evil \x1b]0;pwned\x07 \x1b[2J"
		}
		fmt.Fprintf(&b, "203.0.113.%d - - [10/Oct/2025:13:55:%02d +0000] \"GET /page/%d HTTP/1.1\" 200 %d \"-\" \"%s\"\n", i, i, i, 1000+i, ua)
	}
	return b.Bytes()
}()

// lastLines returns the last n lines of b.
func lastLines(b []byte, n int) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return bytes.Join(lines[max(0, len(lines)-n):], nil)
}

// testServer is a Server on 127.0.0.1 run for one test.
type testServer struct {
	*Server
	addr    string
	dir     string
	logFile string     // the "access" log
	key     ssh.Signer // a client key in authorized_keys
	keyFile string     // key's private half, for OpenSSH's ssh
	log     *lineLog
	cancel  context.CancelFunc
	served  chan error // Serve's result
}

// newSubsystem serves logFile as "access" under the profile "test";
// edit, if not nil, may change the profile first.
func newSubsystem(t *testing.T, logFile string, edit func(*policy.Profile), opts subsystem.Options) *subsystem.Server {
	t.Helper()
	p := &policy.Profile{Name: "test", Logs: []policy.Log{{Name: "access", Path: logFile}}}
	if edit != nil {
		edit(p)
	}
	s, err := subsystem.New(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startServer starts a server serving testLog as "access". edit, if not
// nil, may change the Config before New.
func startServer(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{dir: dir, logFile: filepath.Join(dir, "access.log"), log: &lineLog{}}
	writeFile(t, ts.logFile, testLog, 0o644)
	ts.key, ts.keyFile = newClientKey(t, dir, "id_ed25519")
	writeFile(t, filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(ts.key.PublicKey()), 0o600)
	cfg := Config{
		HostKeyFile:        filepath.Join(dir, "host_key"),
		AuthorizedKeysFile: filepath.Join(dir, "authorized_keys"),
		Subsystem:          newSubsystem(t, ts.logFile, nil, subsystem.Options{Version: "test"}),
		Logger:             ts.log,
	}
	if edit != nil {
		edit(&cfg)
	}
	var err error
	ts.Server, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	ts.cancel = cancel
	ts.served = make(chan error, 1)
	go func() { ts.served <- ts.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-ts.served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("Serve did not return after shutdown\n%s", ts.log)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", ts.log)
		}
	})
	return ts
}

// clientConfig logs in as user with the test key, checking the host key.
func (ts *testServer) clientConfig(user string, auth ...ssh.AuthMethod) *ssh.ClientConfig {
	if auth == nil {
		auth = []ssh.AuthMethod{ssh.PublicKeys(ts.key)}
	}
	return &ssh.ClientConfig{User: user, Auth: auth, HostKeyCallback: ssh.FixedHostKey(ts.HostKey()), Timeout: 10 * time.Second}
}

// dial connects with the test key.
func (ts *testServer) dial(t *testing.T) *ssh.Client {
	t.Helper()
	c, err := ssh.Dial("tcp", ts.addr, ts.clientConfig("alice"))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// newClientKey makes an ed25519 key and writes its private half to
// dir/name in OpenSSH format (mode 0600).
func newClientKey(t *testing.T, dir, name string) (ssh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "test key")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	writeFile(t, path, pem.EncodeToMemory(block), 0o600)
	return s, path
}

func writeFile(t *testing.T, path string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

// lineLog is a Logger that tests can wait on.
type lineLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every Write
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
	return len(p), nil
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor waits until a log line contains every one of parts, and returns
// it.
func (l *lineLog) waitFor(t *testing.T, parts ...string) string {
	t.Helper()
	timeout := time.NewTimer(15 * time.Second)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		for line := range strings.SplitSeq(l.buf.String(), "\n") {
			if containsAll(line, parts) {
				l.mu.Unlock()
				return line
			}
		}
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("no log line with %q in:\n%s", parts, l)
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// exitStatus returns the remote exit status carried by err from Wait,
// Run or Output: 0 for nil, -1 for any other error.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		return ee.ExitStatus()
	}
	return -1
}
