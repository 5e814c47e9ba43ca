// Package demo is `weblogctl demo`'s set-up: weblog-server's embedded SSH
// server on a random 127.0.0.1 port with throwaway keys, serving a
// temporary log that made-up traffic appends to, and the ssh_config and
// known_hosts a client needs to reach it, all in one temporary directory
// that Close removes.
package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/sshserver"
	"github.com/weblogctl/weblogctl/subsystem"
)

// Host is the ssh_config alias of the demo server.
const Host = "weblog-demo"

// Log is the name of the demo's log in the server's policy.
const Log = "access"

// Config configures Start.
type Config struct {
	Version string    // the server's version, as `ls` and doctor report it
	Logger  io.Writer // the embedded server's log; nil: none
}

// Demo is a running demo server.
type Demo struct {
	Dir        string       // the temporary directory holding everything
	SSHConfig  string       // ssh_config in which Host is the server
	KeyFile    string       // the client's private key
	KnownHosts string       // known_hosts holding the server's host key
	Addr       *net.TCPAddr // where the server listens

	stop func()
}

// Start starts the server and the traffic; Close stops them and removes
// what Start created.
func Start(cfg Config) (_ *Demo, err error) {
	dir, err := os.MkdirTemp("", "weblogctl-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d := &Demo{Dir: dir, stop: func() {}}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if strings.ContainsFunc(dir, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+", r))
	}) {
		// The path goes into an ssh_config file, which cannot quote it.
		return nil, fmt.Errorf("demo: temporary directory %q: use a TMPDIR without spaces or special characters", dir)
	}
	if err := d.start(cfg); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return d, nil
}

func (d *Demo) start(cfg Config) error {
	logPath := filepath.Join(d.Dir, "access.log")
	traffic := NewTraffic(mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64())))
	if err := os.WriteFile(logPath, traffic.History(time.Now(), 20), 0o600); err != nil {
		return err
	}

	// Throwaway keys: the client's, authorized; the server makes its own.
	d.KeyFile = filepath.Join(d.Dir, "id_ed25519")
	pub, err := writeClientKey(d.KeyFile)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.Dir, "authorized_keys"), ssh.MarshalAuthorizedKey(pub), 0o600); err != nil {
		return err
	}
	profile, err := policy.ProfileFromFlags(policy.Values{"profile": {"demo"}, "log": {Log + "=" + logPath}})
	if err != nil {
		return err
	}
	sub, err := subsystem.New(profile, subsystem.Options{Version: cfg.Version})
	if err != nil {
		return err
	}
	srv, err := sshserver.New(sshserver.Config{
		HostKeyFile:        filepath.Join(d.Dir, "host_key"),
		AuthorizedKeysFile: filepath.Join(d.Dir, "authorized_keys"),
		Subsystem:          sub,
		Logger:             cfg.Logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	d.Addr = ln.Addr().(*net.TCPAddr)

	// The server and the traffic run until Close, which stops them
	// before the directory goes.
	bg, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	d.stop = func() {
		cancel()
		wg.Wait()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		srv.Serve(bg, ln)
	}()
	go func() {
		defer wg.Done()
		traffic.Run(bg, logPath)
	}()

	// What a user's ~/.ssh would hold for this host, in the directory.
	d.KnownHosts = filepath.Join(d.Dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(d.Addr.String())}, srv.HostKey()) + "\n"
	if err := os.WriteFile(d.KnownHosts, []byte(line), 0o600); err != nil {
		return err
	}
	d.SSHConfig = filepath.Join(d.Dir, "ssh_config")
	conf := fmt.Sprintf(`Host %s
	HostName 127.0.0.1
	Port %d
	User demo
	IdentityFile %s
	IdentitiesOnly yes
	IdentityAgent none
	UserKnownHostsFile %s
	GlobalKnownHostsFile none
	StrictHostKeyChecking yes
	BatchMode yes
`, Host, d.Addr.Port, d.KeyFile, d.KnownHosts)
	return os.WriteFile(d.SSHConfig, []byte(conf), 0o600)
}

// Close stops the server and the traffic and removes the directory.
func (d *Demo) Close() error {
	d.stop()
	return os.RemoveAll(d.Dir)
}

// writeClientKey makes an ed25519 key, writes it to path in OpenSSH format
// (mode 0600, as ssh(1) insists) and returns its public half.
func writeClientKey(path string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "weblogctl demo")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(pub)
}
