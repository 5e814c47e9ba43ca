// Package sshdtest runs a private OpenSSH sshd on loopback for tests, the
// way weblog-server is deployed for real: a forced command in
// authorized_keys, a Subsystem line in sshd_config, or both.
//
// Tests that need sshd call Start, which skips the test when sshd is not
// installed, unless WEBLOG_REQUIRE_TOOLS=1 is set (as .ci/run does), in
// which case a missing sshd fails the test.
package sshdtest

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"golang.org/x/crypto/ssh"
)

// Options configure one sshd.
type Options struct {
	// KeyOptions prefixes the client key's authorized_keys line, e.g.
	// `restrict,command="/path/weblog-server --log a=/x"`. Empty: none.
	KeyOptions string
	// Subsystem, when not empty, is the command line of a
	// `Subsystem weblog …` entry in sshd_config.
	Subsystem string
	// TrustedUserCAKeys, when not empty, are the certificate authorities
	// of sshd_config's TrustedUserCAKeys: user certificates they signed
	// for the account (as a principal) log in.
	TrustedUserCAKeys []ssh.PublicKey
	// NoAuthorizedKey leaves authorized_keys empty: only certificates log
	// in.
	NoAuthorizedKey bool
	// AuthorizedPrincipals, when not empty, are the lines of the
	// account's AuthorizedPrincipalsFile: a certificate then logs in when
	// one of its principals is listed, instead of the account's name.
	AuthorizedPrincipals []string
	// SetEnv are NAME=VALUE settings of sshd_config's SetEnv: sessions
	// get them in their environment (HOME=DIR gives the login shell
	// another home, and so another ~/.bashrc). Values must not hold
	// spaces or quotes.
	SetEnv []string
	// User is the account to log in as; empty: the current user. Another
	// account must exist. sshd reads authorized_keys (and the principals
	// file) with the account's rights, so these then live in a directory
	// of their own that every account may read, removed by Close.
	User string
}

// Server is a running sshd.
type Server struct {
	Dir        string        // private directory holding config and keys
	Addr       string        // 127.0.0.1:PORT
	Port       string        // PORT
	User       string        // the account to log in as (the current user)
	ClientKey  string        // path of the client's private key (ed25519, no passphrase)
	ClientPub  ssh.PublicKey // its public key
	HostKey    ssh.PublicKey // sshd's host key
	KnownHosts string        // a known_hosts file holding HostKey for [127.0.0.1]:PORT
	log        *syncBuffer
	cmd        *exec.Cmd
	keysDir    string // when not Dir: a readable directory Close removes
}

var configTemplate = template.Must(template.New("sshd_config").Parse(`ListenAddress 127.0.0.1:{{.Port}}
HostKey {{.Dir}}/host_ed25519
AuthorizedKeysFile {{.KeysDir}}/authorized_keys
PidFile {{.Dir}}/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers {{.User}}
LogLevel VERBOSE
MaxStartups 50
MaxSessions 50
ExposeAuthInfo yes
{{if .Subsystem}}Subsystem weblog {{.Subsystem}}
{{end}}{{if .CAKeys}}TrustedUserCAKeys {{.Dir}}/user_ca.pub
{{end}}{{if .Principals}}AuthorizedPrincipalsFile {{.KeysDir}}/principals
{{end}}{{if .SetEnv}}SetEnv {{.SetEnv}}
{{end}}`))

// listening is what sshd -e prints when it is ready.
var listening = regexp.MustCompile(`Server listening on 127\.0\.0\.1 port (\d+)`)

// Start starts sshd with opt in a temporary directory and stops it when
// the test ends. sshd's log is printed if the test fails. It skips the test
// when sshd is missing (see Require).
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	sshd := Require(t, "sshd", "/usr/sbin/sshd")
	s, err := New(sshd, t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		if t.Failed() {
			t.Logf("sshd log:\n%s", s.Log())
		}
	})
	return s
}

// New starts the sshd binary with opt, keeping its files in dir. The
// caller must Close it.
func New(sshd, dir string, opt Options) (*Server, error) {
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			return nil, fmt.Errorf("privilege separation directory: %w", err)
		}
	}
	s := &Server{Dir: dir, User: u.Username, log: &syncBuffer{}, keysDir: dir}
	keyMode := os.FileMode(0o600)
	if opt.User != "" && opt.User != u.Username {
		if _, err := user.Lookup(opt.User); err != nil {
			return nil, fmt.Errorf("sshd account: %w", err)
		}
		s.User = opt.User
		if s.keysDir, err = os.MkdirTemp("", "sshdtest-keys-"); err != nil {
			return nil, err
		}
		if err := os.Chmod(s.keysDir, 0o755); err != nil {
			os.RemoveAll(s.keysDir)
			return nil, err
		}
		keyMode = 0o644
	}
	keysDir := s.keysDir
	srv, err := s.setUp(sshd, opt, keyMode)
	if err != nil && keysDir != dir {
		os.RemoveAll(keysDir)
	}
	return srv, err
}

// setUp writes the keys and the config of s and starts sshd.
func (s *Server) setUp(sshd string, opt Options, keyMode os.FileMode) (*Server, error) {
	dir := s.Dir
	var err error
	if s.HostKey, err = WriteKey(filepath.Join(dir, "host_ed25519")); err != nil {
		return nil, err
	}
	s.ClientKey = filepath.Join(dir, "client_ed25519")
	if s.ClientPub, err = WriteKey(s.ClientKey); err != nil {
		return nil, err
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.ClientPub)))
	if opt.KeyOptions != "" {
		line = opt.KeyOptions + " " + line
	}
	if opt.NoAuthorizedKey {
		line = "# only certificates"
	}
	if err := os.WriteFile(filepath.Join(s.keysDir, "authorized_keys"), []byte(line+"\n"), keyMode); err != nil {
		return nil, err
	}
	caKeys := ""
	if len(opt.TrustedUserCAKeys) > 0 {
		var cas []byte
		for _, k := range opt.TrustedUserCAKeys {
			cas = append(cas, ssh.MarshalAuthorizedKey(k)...)
		}
		if err := os.WriteFile(filepath.Join(dir, "user_ca.pub"), cas, 0o600); err != nil {
			return nil, err
		}
		caKeys = "yes"
	}
	principals := ""
	if len(opt.AuthorizedPrincipals) > 0 {
		if err := os.WriteFile(filepath.Join(s.keysDir, "principals"), []byte(strings.Join(opt.AuthorizedPrincipals, "\n")+"\n"), keyMode); err != nil {
			return nil, err
		}
		principals = "yes"
	}
	// sshd cannot listen on port 0 and tell us; pick a free port and
	// retry if another process takes it first.
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			return nil, err
		}
		var cfg bytes.Buffer
		if err := configTemplate.Execute(&cfg, map[string]string{"Dir": dir, "KeysDir": s.keysDir, "Port": s.Port, "User": s.User, "Subsystem": opt.Subsystem, "CAKeys": caKeys, "Principals": principals, "SetEnv": strings.Join(opt.SetEnv, " ")}); err != nil {
			return nil, err
		}
		cfgPath := filepath.Join(dir, "sshd_config")
		if err := os.WriteFile(cfgPath, cfg.Bytes(), 0o600); err != nil {
			return nil, err
		}
		err = s.start(sshd, cfgPath)
		if err == nil {
			break
		}
		if attempt == 3 {
			return nil, fmt.Errorf("sshd did not start: %w\n%s", err, s.log.String())
		}
	}
	s.Addr = "127.0.0.1:" + s.Port
	s.KnownHosts = filepath.Join(dir, "known_hosts")
	known := "[127.0.0.1]:" + s.Port + " " + string(ssh.MarshalAuthorizedKey(s.HostKey))
	if err := os.WriteFile(s.KnownHosts, []byte(known), 0o600); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops sshd. Sessions it started end with it.
func (s *Server) Close() error {
	s.cmd.Process.Kill()
	err := s.cmd.Wait()
	if s.keysDir != s.Dir {
		os.RemoveAll(s.keysDir)
	}
	return err
}

// start runs sshd and waits for it to report that it listens.
func (s *Server) start(sshd, cfgPath string) error {
	s.cmd = exec.Command(sshd, "-D", "-e", "-f", cfgPath)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
		}
		close(ready)
	}()
	select {
	case port, ok := <-ready:
		if ok && port == s.Port {
			return nil
		}
	case <-time.After(10 * time.Second):
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	return fmt.Errorf("sshd exited or did not listen on port %s", s.Port)
}

// Log returns what sshd has logged so far.
func (s *Server) Log() string { return s.log.String() }

// SSHConfig writes an ssh_config (for OpenSSH's ssh and for weblogctl -F)
// in which alias reaches this server as its user with its client key,
// checking the host key strictly and never prompting. It returns the path.
func (s *Server) SSHConfig(alias string) (string, error) {
	cfg := fmt.Sprintf(`Host %s
  HostName 127.0.0.1
  Port %s
  User %s
  IdentityFile %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
`, alias, s.Port, s.User, s.ClientKey, s.KnownHosts)
	p := filepath.Join(s.Dir, "ssh_config")
	return p, os.WriteFile(p, []byte(cfg), 0o600)
}

// Require returns the path of the named tool (looked up in PATH, then at
// fallback), skipping the test when it is missing, or failing it when
// WEBLOG_REQUIRE_TOOLS=1.
// It is the one way the repository's tests find a tool.
func Require(t testing.TB, name, fallback string) string {
	t.Helper()
	if p, err := Lookup(name, fallback); err == nil {
		return p
	}
	if ToolsRequired() {
		t.Fatalf("%s is required (WEBLOG_REQUIRE_TOOLS=1) but not installed", name)
	}
	t.Skipf("%s not installed: skipping (apt-get install openssh-server openssh-client)", name)
	return ""
}

// Lookup returns the path of the named tool: found in PATH, else at
// fallback when that exists ("" for none).
func Lookup(name, fallback string) (string, error) {
	p, err := exec.LookPath(name)
	if err == nil || fallback == "" {
		return p, err
	}
	if _, serr := os.Stat(fallback); serr != nil {
		return "", err
	}
	return fallback, nil
}

// ToolsRequired reports whether WEBLOG_REQUIRE_TOOLS=1 (as CI sets it):
// a missing tool then fails a test instead of skipping it.
func ToolsRequired() bool { return os.Getenv("WEBLOG_REQUIRE_TOOLS") == "1" }

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, _ := strings.Cut(l.Addr().String(), ":")
	return port, nil
}

// WriteKey writes a new ed25519 private key in OpenSSH format (mode 0600)
// and its .pub beside it, and returns the public key.
func WriteKey(path string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return sp, os.WriteFile(path+".pub", ssh.MarshalAuthorizedKey(sp), 0o644)
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.WriteString(s)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
