package sshdial

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/weblogctl/weblogctl/wire"
)

// Config says how to reach hosts. The zero value is safe: host keys are
// checked against known_hosts and nothing is asked, so an unknown host is
// refused and keys that need a passphrase are skipped.
type Config struct {
	// ConfigFile is the ssh_config file, like ssh -F. "" means
	// ~/.ssh/config (a missing file is fine) followed by SystemConfigFile;
	// "none" means no configuration file at all. A named file must exist
	// and replaces both, as with ssh -F.
	ConfigFile string
	// SystemConfigFile is read after ~/.ssh/config when ConfigFile is "".
	// "" means /etc/ssh/ssh_config (a missing file is fine); "none" skips
	// it.
	SystemConfigFile string

	// Prompter asks for passphrases, passwords and whether to trust an
	// unknown host key. nil means non-interactive use.
	Prompter Prompter
	// Stderr receives warnings (a host key added to known_hosts, a changed
	// host key, a login banner). nil discards them.
	Stderr io.Writer
	// Debug, if not nil, receives a trace of the decisions made, like
	// ssh -v.
	Debug io.Writer

	// InsecureIgnoreHostKey accepts any host key, for every hop, printing
	// a loud warning to Stderr. Passwords are then never sent: only keys,
	// whose signatures an impostor cannot reuse, are offered.
	InsecureIgnoreHostKey bool

	// Command-line overrides for the destination (not for jump hosts).
	// They win over the HOST argument and ssh_config, like ssh's -l, -p,
	// -i and -J.

	// User is the remote user name.
	User string
	// Port is the remote port.
	Port int
	// IdentityFiles are tried before those from ssh_config; each must
	// exist.
	IdentityFiles []string
	// ProxyJump is a comma-separated list of jump hosts, or "none".
	ProxyJump string
}

// Conn is an authenticated SSH connection, possibly through jump hosts.
type Conn struct {
	*ssh.Client
	// Host is the HOST argument as given to Dial.
	Host string
	// Addr is the host:port connected to (from the last jump host, if any).
	Addr string
	// User is the remote user name logged in as.
	User string
	// Auth says how the destination (not a jump host) accepted the login:
	// "publickey " and the agent key or identity file, "password" or
	// "keyboard-interactive"; "" when the server asked for nothing.
	Auth string

	jumps []*ssh.Client // in connection order
}

// Close closes the connection, then the jump host connections under it.
func (c *Conn) Close() error {
	errs := []error{c.Client.Close()}
	for i := len(c.jumps) - 1; i >= 0; i-- {
		errs = append(errs, c.jumps[i].Close())
	}
	return errors.Join(errs...)
}

// Dial connects and authenticates to host, given as [user@]host[:port],
// [user@][ipv6]:port, ssh://[user@]host[:port] or an ssh_config alias, the
// way ssh would.
//
// These ssh_config keywords are honoured: HostName, Port, User,
// IdentityFile, CertificateFile (and each identity's -cert.pub),
// IdentitiesOnly, IdentityAgent, UserKnownHostsFile,
// GlobalKnownHostsFile, HostKeyAlias, HashKnownHosts,
// StrictHostKeyChecking, BatchMode, ConnectTimeout, ProxyJump,
// PubkeyAuthentication, PasswordAuthentication,
// KbdInteractiveAuthentication and NumberOfPasswordPrompts. ProxyCommand is
// refused: weblogctl runs no local programs. Credentials are tried in ssh's
// order: agent keys, identity files, then keyboard-interactive and password
// prompts.
//
// Cancelling ctx cancels the connection attempt, prompts excepted;
// ConnectTimeout bounds the TCP connect and the SSH handshake of each hop,
// time spent in prompts excepted.
//
// Errors name the host ("dial web1 (10.0.0.1:22): …") and wrap
// ErrHostKeyUnknown, ErrHostKeyChanged, ErrHostKeyRevoked (as a
// *HostKeyError), ErrAuth or ErrInterrupted (Ctrl-C at a prompt) where
// those apply; Hint suggests what to do.
func Dial(ctx context.Context, host string, cfg Config) (*Conn, error) {
	t, err := parseHostArg(host)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	d, err := newDialer(cfg)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", t.host, err)
	}
	defer d.close()
	hc, err := resolveHost(d.ssh, d.env, t, &resolveOverrides{
		user:          cfg.User,
		port:          cfg.Port,
		identityFiles: cfg.IdentityFiles,
		proxyJump:     cfg.ProxyJump,
	})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", t.host, err)
	}
	d.debugf("%s: user %s, StrictHostKeyChecking %v, BatchMode %v, ProxyJump %v", hc, hc.user, hc.strict, hc.batchMode, hc.proxyJump)
	client, jumps, err := d.connect(ctx, hc)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", hc, err)
	}
	return &Conn{Client: client, Host: host, Addr: hc.addr(), User: hc.user, Auth: d.auth, jumps: jumps}, nil
}

// maxHops bounds the jump hosts of one Dial, which also stops ProxyJump
// loops.
const maxHops = 8

// dialer holds what one Dial shares between its hops.
type dialer struct {
	cfg    Config
	env    *localEnv
	ssh    *sshConfig
	agents map[string]*agentConn
	hops   int
	auth   string // how the last handshake authenticated (the destination's is last)
}

type agentConn struct {
	conn    net.Conn
	signers []ssh.Signer
	err     error
}

func newDialer(cfg Config) (*dialer, error) {
	env, err := newLocalEnv()
	if err != nil {
		return nil, err
	}
	c, err := loadSSHConfig(env, cfg.ConfigFile, cfg.SystemConfigFile)
	if err != nil {
		return nil, err
	}
	return &dialer{cfg: cfg, env: env, ssh: c, agents: make(map[string]*agentConn)}, nil
}

func (d *dialer) close() {
	for _, a := range d.agents {
		if a.conn != nil {
			a.conn.Close()
		}
	}
}

func (d *dialer) debugf(format string, args ...any) {
	if d.cfg.Debug != nil {
		fmt.Fprintf(d.cfg.Debug, "debug: "+format+"\n", args...)
	}
}

func (d *dialer) warnf(format string, args ...any) {
	if d.cfg.Stderr != nil {
		fmt.Fprintf(d.cfg.Stderr, format, args...)
	}
}

// connect reaches hc, through its jump hosts if it has any. It returns the
// client and the jump clients under it, in connection order.
func (d *dialer) connect(ctx context.Context, hc *hostConfig) (*ssh.Client, []*ssh.Client, error) {
	if len(hc.proxyJump) == 0 {
		raw, err := d.dialTCP(ctx, hc)
		if err != nil {
			return nil, nil, err
		}
		c, err := d.handshake(ctx, raw, hc)
		return c, nil, err
	}
	var jumps []*ssh.Client
	fail := func(err error) (*ssh.Client, []*ssh.Client, error) {
		closeClients(jumps)
		return nil, nil, err
	}
	for i, ht := range hc.proxyJump {
		d.hops++
		if d.hops > maxHops {
			return fail(fmt.Errorf("more than %d jump hosts (is there a ProxyJump loop?)", maxHops))
		}
		jc, err := resolveHost(d.ssh, d.env, ht, nil)
		if err != nil {
			return fail(fmt.Errorf("jump host %s: %w", ht.host, err))
		}
		var c *ssh.Client
		if i == 0 {
			// Like ssh -J, the first hop may have its own ProxyJump; the
			// later ones are reached through the previous hop.
			var under []*ssh.Client
			c, under, err = d.connect(ctx, jc)
			jumps = append(jumps, under...)
		} else {
			d.debugf("%s: connecting through the previous jump host", jc)
			c, err = d.connectVia(ctx, jumps[len(jumps)-1], jc)
		}
		if err != nil {
			return fail(fmt.Errorf("jump host %s: %w", jc, err))
		}
		jumps = append(jumps, c)
	}
	d.debugf("%s: connecting through jump host", hc)
	c, err := d.connectVia(ctx, jumps[len(jumps)-1], hc)
	if err != nil {
		return fail(err)
	}
	return c, jumps, nil
}

func closeClients(cs []*ssh.Client) {
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i].Close()
	}
}

func (d *dialer) dialTCP(ctx context.Context, hc *hostConfig) (net.Conn, error) {
	nd := net.Dialer{Timeout: hc.connectTimeout}
	d.debugf("%s: connecting", hc)
	conn, err := nd.DialContext(ctx, "tcp", hc.addr())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The OpError repeats the address Dial's error names already.
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			err = op.Err
		}
		var sys *os.SyscallError
		switch {
		case errors.As(err, &sys):
			err = sys.Err // "connection refused"
		case errors.Is(err, os.ErrDeadlineExceeded) && hc.connectTimeout > 0:
			return nil, fmt.Errorf("connect: timed out after %v (ConnectTimeout): %w", hc.connectTimeout, err)
		}
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}

// connectVia opens a direct-tcpip channel to hc through jump and runs the
// SSH handshake over it.
func (d *dialer) connectVia(ctx context.Context, jump *ssh.Client, hc *hostConfig) (*ssh.Client, error) {
	dctx := ctx
	if hc.connectTimeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, hc.connectTimeout)
		defer cancel()
	}
	raw, err := jump.DialContext(dctx, "tcp", hc.addr())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if dctx.Err() != nil {
			return nil, fmt.Errorf("connect through the jump host: timed out after %v (ConnectTimeout): %w", hc.connectTimeout, os.ErrDeadlineExceeded)
		}
		return nil, fmt.Errorf("connect through the jump host: %w", err)
	}
	return d.handshake(ctx, raw, hc)
}

// handshake runs the SSH handshake and authentication on raw, which it
// owns: it is closed on failure.
func (d *dialer) handshake(ctx context.Context, raw net.Conn, hc *hostConfig) (*ssh.Client, error) {
	var prompter Prompter
	guard := &guardedPrompter{ctx: ctx, p: d.cfg.Prompter}
	if d.cfg.Prompter != nil && !hc.batchMode {
		prompter = guard
	}
	hk, err := newHostKeyChecker(hc, d.cfg.InsecureIgnoreHostKey, prompter, d.cfg.Stderr, d.debugf)
	if err != nil {
		raw.Close()
		return nil, err
	}
	in := authInput{
		prompter:  prompter,
		passwords: !d.cfg.InsecureIgnoreHostKey,
		warn:      d.warnf,
		debugf:    d.debugf,
	}
	if hc.pubkeyAuth {
		in.agentSigners, err = d.agentSigners(ctx, hc.identityAgent)
		if err != nil {
			in.agentNote = "not using ssh-agent: " + err.Error()
			d.debugf("%s", in.agentNote)
		}
	}
	plan, err := newAuthPlan(hc, in)
	if err != nil {
		raw.Close()
		return nil, err
	}
	algos := hk.algorithms()
	d.debugf("%s: host key algorithms %v", hc, algos)
	config := &ssh.ClientConfig{
		User:              hc.user,
		HostKeyCallback:   hk.check,
		HostKeyAlgorithms: algos,
		AuthCallback:      plan.callback,
		BannerCallback: func(msg string) error {
			d.warnf("%s", wire.SanitizeLines(msg))
			return nil
		},
	}
	wd := startHandshakeTimer(hc.connectTimeout, func() { raw.Close() })
	guard.wd = wd
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	c, chans, reqs, err := ssh.NewClientConn(newBufferedConn(raw), hc.addr(), config)
	canceled := !stop()
	expired := wd.stop()
	if err == nil && (canceled || expired) {
		// Too late: raw was closed under the finished handshake.
		c.Close()
		err = errors.New("closed")
	}
	if err != nil {
		raw.Close()
		switch {
		case canceled:
			return nil, ctx.Err()
		case expired:
			return nil, fmt.Errorf("ssh handshake timed out after %v (ConnectTimeout): %w", hc.connectTimeout, os.ErrDeadlineExceeded)
		}
		var hkErr *HostKeyError
		if errors.As(err, &hkErr) {
			return nil, hkErr
		}
		var neg *ssh.AlgorithmNegotiationError
		if errors.As(err, &neg) && neg.What == "host key" {
			if e := hk.changedAlgorithms(neg); e != nil {
				return nil, e
			}
		}
		if e := plan.handshakeError(err); e != nil {
			return nil, e
		}
		return nil, err
	}
	d.auth = plan.succeeded()
	// Keepalives are the caller's choice (Conn.Keepalive); ssh_config's
	// ServerAliveInterval and ServerAliveCountMax are not read yet.
	return ssh.NewClient(c, chans, reqs), nil
}

// agentSigners returns the keys of the agent listening on path, connecting
// once per Dial. An empty path means no agent.
func (d *dialer) agentSigners(ctx context.Context, path string) ([]ssh.Signer, error) {
	if path == "" {
		return nil, nil
	}
	if a, ok := d.agents[path]; ok {
		return a.signers, a.err
	}
	a := &agentConn{}
	d.agents[path] = a
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "unix", path)
	if err != nil {
		a.err = err
		return nil, err
	}
	a.conn = conn
	// Listing keys is quick; do not hang on a socket that is no agent.
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	a.signers, a.err = agent.NewClient(conn).Signers()
	conn.SetDeadline(time.Time{})
	if a.err != nil {
		a.err = fmt.Errorf("list agent keys: %w", a.err)
	} else {
		d.debugf("ssh-agent %s holds %d keys", path, len(a.signers))
	}
	return a.signers, a.err
}

// guardedPrompter stops the handshake's clock while the user answers and
// refuses to ask once ctx is done.
type guardedPrompter struct {
	ctx context.Context
	p   Prompter
	wd  *handshakeTimer
}

func (g *guardedPrompter) Password(prompt string) (string, error) {
	if err := g.ctx.Err(); err != nil {
		return "", err
	}
	g.wd.pause()
	defer g.wd.resume()
	return g.p.Password(prompt)
}

func (g *guardedPrompter) Confirm(prompt string) (bool, error) {
	if err := g.ctx.Err(); err != nil {
		return false, err
	}
	g.wd.pause()
	defer g.wd.resume()
	return g.p.Confirm(prompt)
}

// handshakeTimer calls onExpire when d passes without stop, not counting the
// time between pause and resume. A nil *handshakeTimer does nothing.
type handshakeTimer struct {
	d        time.Duration
	onExpire func()

	mu      sync.Mutex
	t       *time.Timer
	gen     int // which timer may fire
	paused  bool
	stopped bool
	expired bool
}

func startHandshakeTimer(d time.Duration, onExpire func()) *handshakeTimer {
	if d <= 0 {
		return nil
	}
	w := &handshakeTimer{d: d, onExpire: onExpire}
	w.mu.Lock()
	w.arm()
	w.mu.Unlock()
	return w
}

// arm starts a new timer; w.mu must be held.
func (w *handshakeTimer) arm() {
	w.gen++
	gen := w.gen
	w.t = time.AfterFunc(w.d, func() { w.fire(gen) })
}

func (w *handshakeTimer) fire(gen int) {
	w.mu.Lock()
	if gen != w.gen || w.paused || w.stopped {
		w.mu.Unlock()
		return
	}
	w.expired = true
	w.mu.Unlock()
	w.onExpire()
}

func (w *handshakeTimer) pause() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.paused = true
	w.gen++
	w.t.Stop()
}

func (w *handshakeTimer) resume() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || w.expired {
		return
	}
	w.paused = false
	w.arm()
}

// stop disarms w and reports whether it had expired.
func (w *handshakeTimer) stop() bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.t.Stop()
	return w.expired
}

// Hint returns a one-line suggestion for what to do about an error from
// Dial, or "" when there is none.
func Hint(err error) string {
	if err == nil {
		return ""
	}
	var hk *HostKeyError
	if errors.As(err, &hk) {
		switch hk.Err {
		case ErrHostKeyChanged:
			file := hk.KnownHostsFile
			if len(hk.Known) > 0 {
				file = hk.Known[0].Filename
			}
			if file == "" {
				return "if the host's key really changed (ask its administrator for the new fingerprint), remove the old key from known_hosts"
			}
			return fmt.Sprintf("if the host's key really changed (ask its administrator for the new fingerprint), remove the old key with: ssh-keygen -R %s -f %s",
				hostForHint(hk.Host), hostForHint(file))
		case ErrHostKeyRevoked:
			return "the host presented a key that known_hosts marks as revoked; contact the host's administrator"
		default:
			if hk.KnownHostsFile == "" {
				return fmt.Sprintf("UserKnownHostsFile is none: add the host key (%s, and compare its fingerprint) to a GlobalKnownHostsFile, or set UserKnownHostsFile",
					keyscanCommand(hk.Host))
			}
			return fmt.Sprintf("connect once interactively (weblogctl or ssh) to check and accept the host key, or add it with: %s >> %s (and compare its fingerprint)",
				keyscanCommand(hk.Host), shellPath(homeRelative(hk.KnownHostsFile)))
		}
	}
	switch {
	case errors.Is(err, ErrAuth):
		return "check that your key is loaded (ssh-add -l) or set IdentityFile for this host in ~/.ssh/config, and that the server lists its public key in authorized_keys"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing accepts connections on that port: check the host name and Port, and that sshd (or weblog-server listen) runs there"
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return "the host did not answer in time: check the address and any firewall, or raise ConnectTimeout"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "check the host name, or give it a HostName in ~/.ssh/config"
	}
	return ""
}

// shellPath quotes path for a shell command line, leaving a leading ~/ for
// the shell to expand.
func shellPath(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		return "~/" + hostForHint(rest)
	}
	return hostForHint(path)
}

// homeRelative writes path under the home directory as ~/…, as ssh's
// messages do; other paths are returned unchanged.
func homeRelative(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return path
	}
	if rest, ok := strings.CutPrefix(path, home+"/"); ok {
		return "~/" + rest
	}
	return path
}
