package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// sshdConfig is a private OpenSSH sshd on loopback, as in
// internal/sshdtest, plus sftp for scp. sshd runs every command and
// subsystem through the user's login shell, and Debian's bash then reads
// ~/.bashrc; SetEnv HOME points that at an empty directory so that
// neither side pays for whatever the machine's ~/.bashrc does (on the
// machine of BENCHMARKS.md, `pyenv init`: about a second a session).
var sshdConfig = template.Must(template.New("sshd_config").Parse(`ListenAddress 127.0.0.1:{{.Port}}
HostKey {{.Dir}}/host_ed25519
AuthorizedKeysFile {{.Dir}}/authorized_keys
PidFile {{.Dir}}/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers {{.User}}
LogLevel VERBOSE
SetEnv HOME={{.Dir}}/home
MaxStartups 50
MaxSessions 50
Subsystem sftp {{.SFTP}}
{{.Extra}}
`))

var (
	listening = regexp.MustCompile(`Server listening on 127\.0\.0\.1 port (\d+)`)
	kexCipher = regexp.MustCompile(`kex: server->client cipher: (\S+)`) // in ssh -v output
)

// sshd is a running OpenSSH sshd.
type sshd struct {
	Port    int
	HostKey ssh.PublicKey
	cmd     *exec.Cmd
}

// startSSHD starts sshd with its files in dir: host key, the
// authorized_keys given, config (with the extra lines given), log
// (sshd.log) and an empty home.
func startSSHD(ctx context.Context, dir, user, authorizedKeys, extra string) (*sshd, error) {
	bin, err := sshdtest.Lookup("sshd", "/usr/sbin/sshd")
	if err != nil {
		return nil, fmt.Errorf("sshd not found (apt-get install openssh-server): %w", err)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil && os.Geteuid() == 0 {
		return nil, fmt.Errorf("privilege separation directory: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o700); err != nil {
		return nil, err
	}
	hostPub, err := sshdtest.WriteKey(filepath.Join(dir, "host_ed25519"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(authorizedKeys), 0o600); err != nil {
		return nil, err
	}
	sftp := "/usr/lib/openssh/sftp-server"
	if _, err := os.Stat(sftp); err != nil {
		sftp = "internal-sftp"
	}
	logf, err := os.Create(filepath.Join(dir, "sshd.log"))
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		var cfg strings.Builder
		sshdConfig.Execute(&cfg, map[string]any{"Dir": dir, "Port": port, "User": user, "SFTP": sftp, "Extra": extra})
		cfgPath := filepath.Join(dir, "sshd_config")
		if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
			return nil, err
		}
		s := &sshd{Port: port, HostKey: hostPub}
		err = s.start(ctx, bin, cfgPath, logf)
		if err == nil {
			return s, nil
		}
		if attempt == 3 {
			return nil, fmt.Errorf("sshd did not start (log: %s): %w", logf.Name(), err)
		}
	}
}

// start runs sshd -D -e and waits until it listens on s.Port. A
// goroutine copies sshd's stderr to logf.
func (s *sshd) start(ctx context.Context, bin, cfgPath string, logf *os.File) error {
	s.cmd = command(ctx, bin, "-D", "-e", "-f", cfgPath)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	ready := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if m := listening.FindStringSubmatch(line); m != nil {
				port, _ := strconv.Atoi(m[1])
				select {
				case ready <- port:
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
	s.Close()
	return fmt.Errorf("sshd exited or did not listen on port %d", s.Port)
}

// Close stops sshd. Its sessions are ended by killDescendants.
func (s *sshd) Close() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// embedded is a running `weblog-server listen`.
type embedded struct {
	Port    int
	HostKey ssh.PublicKey
	cmd     *exec.Cmd
	exited  chan error // receives the result of Wait
}

// startEmbedded runs bin's embedded SSH server on a free loopback port,
// serving logs (NAME=PATH) to the key in authorizedKeys.
func startEmbedded(ctx context.Context, dir, bin, authorizedKeys string, logs []string) (*embedded, error) {
	hostKey := filepath.Join(dir, "emb_host_ed25519")
	pub, err := sshdtest.WriteKey(hostKey)
	if err != nil {
		return nil, err
	}
	ak := filepath.Join(dir, "emb_authorized_keys")
	if err := os.WriteFile(ak, []byte(authorizedKeys), 0o600); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"listen", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--host-key", hostKey, "--authorized-keys", ak}
	for _, l := range logs {
		args = append(args, "--log", l)
	}
	logf, err := os.Create(filepath.Join(dir, "embedded.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own descriptor
	e := &embedded{Port: port, HostKey: pub, cmd: command(ctx, bin, args...), exited: make(chan error, 1)}
	e.cmd.Stdout, e.cmd.Stderr = logf, logf
	if err := e.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { e.exited <- e.cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-e.exited:
			log, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("weblog-server listen exited (%v): %s", err, strings.TrimSpace(string(log)))
		case <-time.After(50 * time.Millisecond):
		}
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return e, nil
		}
	}
	e.Close()
	return nil, fmt.Errorf("weblog-server listen did not listen on port %d within 10s", port)
}

// Close stops the embedded server and waits for it to exit.
func (e *embedded) Close() {
	e.cmd.Process.Kill()
	<-e.exited
}

// hostAlias is one Host block of the generated ssh_config.
type hostAlias struct {
	Name string
	Port int
	Key  string // IdentityFile
}

// writeSSHConfig writes an ssh_config for OpenSSH's clients and for
// weblogctl -F: every alias reaches 127.0.0.1 as user, host keys checked
// strictly against knownHosts, never prompting, no multiplexing.
func writeSSHConfig(path, user, knownHosts string, hosts []hostAlias) error {
	var b strings.Builder
	for _, h := range hosts {
		fmt.Fprintf(&b, "Host %s\n  HostName 127.0.0.1\n  Port %d\n  IdentityFile %s\n\n", h.Name, h.Port, h.Key)
	}
	fmt.Fprintf(&b, `Host *
  User %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  GlobalKnownHostsFile none
  StrictHostKeyChecking yes
  BatchMode yes
  ControlMaster no
  ControlPath none
  LogLevel ERROR
`, user, knownHosts)
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// knownHostsLine is a known_hosts line for key at 127.0.0.1:port.
func knownHostsLine(port int, key ssh.PublicKey) string {
	return fmt.Sprintf("[127.0.0.1]:%d %s", port, ssh.MarshalAuthorizedKey(key))
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
