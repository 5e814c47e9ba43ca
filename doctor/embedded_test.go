package doctor

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/sshserver"
	"github.com/weblogctl/weblogctl/subsystem"
)

// The embedded server (weblog-server listen) passes too: it answers the
// weblog subsystem, and no login shell runs before it.
func TestEmbeddedServer(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	writeLog(t, logPath, 1, 30)
	sub, err := subsystem.New(&policy.Profile{Name: "test", Logs: []policy.Log{{Name: "access", Path: logPath}}}, subsystem.Options{Version: "dev", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	clientKey := filepath.Join(dir, "id_ed25519")
	pub, err := sshdtest.WriteKey(clientKey)
	if err != nil {
		t.Fatal(err)
	}
	authKeys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authKeys, ssh.MarshalAuthorizedKey(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := sshserver.New(sshserver.Config{
		HostKeyFile:        filepath.Join(dir, "host_ed25519"),
		AuthorizedKeysFile: authKeys,
		Subsystem:          sub,
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() { cancel(); l.Close(); <-done })

	port := l.Addr().(*net.TCPAddr).Port
	known := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(known, []byte(fmt.Sprintf("[127.0.0.1]:%d %s", port, ssh.MarshalAuthorizedKey(srv.HostKey()))), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "ssh_config")
	cfg := fmt.Sprintf("Host web1\n  HostName 127.0.0.1\n  Port %d\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n", port, clientKey, known)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	h := &testHost{cfg: sshdial.Config{ConfigFile: cfgFile}}
	r := h.run(t)
	for _, res := range r.Results {
		if res.Verdict != OK {
			t.Errorf("%s: %v %s — %s", res.Check, res.Verdict, res.Detail, res.Hint)
		}
	}
	want(t, r, CheckServer, OK, "weblog subsystem", "")
	want(t, r, CheckShell, OK, "no login shell", "")
}
