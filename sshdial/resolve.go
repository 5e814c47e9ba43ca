package sshdial

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// This file turns a parsed HOST argument and the ssh_config files into the
// settings for one connection (a hostConfig), the way ssh(1) does: one
// handler per keyword, in the table of keywords below. Keywords not in the
// table are ignored.

// strictMode is the value of StrictHostKeyChecking.
type strictMode int

const (
	strictAsk       strictMode = iota // default: ask on a terminal, refuse otherwise
	strictYes                         // never add keys
	strictAcceptNew                   // add unknown keys (accept-new, no, off)
)

func (m strictMode) String() string {
	switch m {
	case strictYes:
		return "yes"
	case strictAcceptNew:
		return "accept-new"
	}
	return "ask"
}

// hostConfig holds the resolved settings for one hop.
type hostConfig struct {
	alias    string // the host as given (ssh's %n)
	hostname string // after HostName
	port     int
	user     string

	identityFiles    []identitySpec
	certificateFiles []string // CertificateFile, besides each identity's -cert.pub
	identitiesOnly   bool
	identityAgent    string // socket path; "" means no agent

	userKnownHosts   []string // the first one receives new keys
	globalKnownHosts []string
	hostKeyAlias     string
	hashKnownHosts   bool
	strict           strictMode
	batchMode        bool

	connectTimeout time.Duration // 0: only ctx bounds the connect
	proxyJump      []hostArg     // nil: connect directly

	pubkeyAuth      bool
	passwordAuth    bool
	kbdInteractive  bool
	passwordPrompts int
}

// identitySpec is an identity file to try; explicit ones were named on the
// command line and must exist.
type identitySpec struct {
	path     string
	explicit bool
}

// addr is the host:port to connect to.
func (hc *hostConfig) addr() string {
	return net.JoinHostPort(hc.hostname, strconv.Itoa(hc.port))
}

// String names the hop in error messages: "web1 (10.0.0.1:22)".
func (hc *hostConfig) String() string {
	return hc.alias + " (" + hc.addr() + ")"
}

// resolveOverrides are the command-line settings, applied to the final
// destination only (never to jump hosts), like ssh's -l, -p, -i and -J.
type resolveOverrides struct {
	user          string
	port          int
	identityFiles []string
	proxyJump     string
}

// keyword is one ssh_config keyword and the handler that sets its part of
// the hostConfig: from the command line, the HOST argument, the files or
// ssh's default, in that order of precedence.
type keyword struct {
	name string
	set  func(r *resolver, name string) error
}

// keywords returns the keywords resolveHost reads, in the order it handles
// them: HostName, Port and User first, since the %-tokens of the paths
// after them refer to their values. On a bad value the first error in this
// order is reported.
func keywords() []keyword {
	return []keyword{
		{"HostName", (*resolver).hostName},
		{"Port", (*resolver).port},
		{"User", (*resolver).user},
		{"IdentityFile", (*resolver).identityFile},
		{"CertificateFile", (*resolver).certificateFile},
		{"IdentitiesOnly", yesNo(false, func(hc *hostConfig) *bool { return &hc.identitiesOnly })},
		{"IdentityAgent", (*resolver).identityAgent},
		{"UserKnownHostsFile", pathList(func(hc *hostConfig) *[]string { return &hc.userKnownHosts },
			func(env *localEnv) []string {
				return []string{filepath.Join(env.home, ".ssh", "known_hosts"), filepath.Join(env.home, ".ssh", "known_hosts2")}
			})},
		{"GlobalKnownHostsFile", pathList(func(hc *hostConfig) *[]string { return &hc.globalKnownHosts },
			func(*localEnv) []string { return []string{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"} })},
		{"HostKeyAlias", (*resolver).hostKeyAlias},
		{"HashKnownHosts", yesNo(false, func(hc *hostConfig) *bool { return &hc.hashKnownHosts })},
		{"StrictHostKeyChecking", (*resolver).strictHostKeyChecking},
		{"BatchMode", yesNo(false, func(hc *hostConfig) *bool { return &hc.batchMode })},
		{"ConnectTimeout", (*resolver).connectTimeout},
		{"ProxyJump", (*resolver).proxyJump},
		{"ProxyCommand", (*resolver).proxyCommand}, // after ProxyJump, which wins over it
		{"PubkeyAuthentication", yesNo(true, func(hc *hostConfig) *bool { return &hc.pubkeyAuth })},
		{"PasswordAuthentication", yesNo(true, func(hc *hostConfig) *bool { return &hc.passwordAuth })},
		{"KbdInteractiveAuthentication", (*resolver).kbdInteractive},
		{"NumberOfPasswordPrompts", (*resolver).passwordPrompts},
		// ServerAliveInterval and ServerAliveCountMax would go here, for
		// Dial's caller to hand to Conn.Keepalive.
	}
}

// resolver is one resolveHost in progress.
type resolver struct {
	c    *sshConfig
	env  *localEnv
	arg  hostArg
	ov   resolveOverrides
	hc   *hostConfig
	jump string // ProxyJump as decided, "" when unset
	cerr error  // the first error reading the files
}

// resolveHost computes the settings for t from the ssh_config files; ov,
// if not nil, holds the command-line settings that win over both.
func resolveHost(c *sshConfig, env *localEnv, t hostArg, ov *resolveOverrides) (*hostConfig, error) {
	r := &resolver{c: c, env: env, arg: t, hc: &hostConfig{alias: t.host}}
	if ov != nil {
		r.ov = *ov
	}
	for _, k := range keywords() {
		if err := k.set(r, k.name); err != nil {
			return nil, err
		}
	}
	if r.cerr != nil {
		return nil, r.cerr
	}
	return r.hc, nil
}

// get returns the first value of key for the host; a file that cannot be
// searched is reported at the end of resolveHost.
func (r *resolver) get(key string) string {
	v, err := r.c.get(r.hc.alias, key)
	if err != nil && r.cerr == nil {
		r.cerr = err
	}
	return v
}

// bad describes a bad value in the files.
func (r *resolver) bad(key, val string, err error) error {
	return fmt.Errorf("ssh config: %s %q for %s: %w", key, val, r.hc.alias, err)
}

// tokens are the %-tokens of paths, from the values resolved so far.
func (r *resolver) tokens() map[byte]string {
	hc, env := r.hc, r.env
	return map[byte]string{
		'd': env.home,
		'h': hc.hostname,
		'i': env.uid,
		'L': strings.SplitN(env.hostname, ".", 2)[0],
		'l': env.hostname,
		'n': hc.alias,
		'p': strconv.Itoa(hc.port),
		'r': hc.user,
		'u': env.user,
	}
}

// path expands ~ and the %-tokens in v, the value of key.
func (r *resolver) path(key, v string) (string, error) {
	p, err := expandTokens(expandTilde(v, r.env.home), r.tokens())
	if err != nil {
		return "", r.bad(key, v, err)
	}
	return p, nil
}

// yesNo handles a yes/no keyword whose default is def.
func yesNo(def bool, field func(*hostConfig) *bool) func(*resolver, string) error {
	return func(r *resolver, key string) error {
		v := r.get(key)
		if v == "" {
			*field(r.hc) = def
			return nil
		}
		b, err := parseYesNo(v)
		if err != nil {
			return r.bad(key, v, err)
		}
		*field(r.hc) = b
		return nil
	}
}

// pathList handles a keyword holding space-separated paths, or "none" for
// no path at all; def gives ssh's default.
func pathList(field func(*hostConfig) *[]string, def func(*localEnv) []string) func(*resolver, string) error {
	return func(r *resolver, key string) error {
		v := r.get(key)
		switch v {
		case "":
			*field(r.hc) = def(r.env)
			return nil
		case "none":
			*field(r.hc) = []string{}
			return nil
		}
		var out []string
		for _, f := range strings.Fields(v) {
			p, err := r.path(key, f)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		*field(r.hc) = out
		return nil
	}
}

func (r *resolver) hostName(key string) error {
	hc := r.hc
	hc.hostname = hc.alias
	if v := r.get(key); v != "" {
		h, err := expandTokens(v, map[byte]string{'h': hc.alias})
		if err != nil {
			return r.bad(key, v, err)
		}
		if err := checkHostname(h); err != nil {
			return r.bad(key, v, err)
		}
		hc.hostname = h
	}
	// ssh matches known_hosts entries case-insensitively by writing and
	// looking up host names in lower case.
	hc.hostname = strings.ToLower(hc.hostname)
	return nil
}

func (r *resolver) port(key string) error {
	switch {
	case r.ov.port != 0:
		if r.ov.port < 1 || r.ov.port > 65535 {
			return fmt.Errorf("bad port %d", r.ov.port)
		}
		r.hc.port = r.ov.port
	case r.arg.port != 0:
		r.hc.port = r.arg.port
	default:
		r.hc.port = 22
		if v := r.get(key); v != "" {
			p, err := parsePort(v)
			if err != nil {
				return r.bad(key, v, err)
			}
			r.hc.port = p
		}
	}
	return nil
}

func (r *resolver) user(key string) error {
	hc := r.hc
	switch {
	case r.ov.user != "":
		hc.user = r.ov.user
	case r.arg.user != "":
		hc.user = r.arg.user
	default:
		hc.user = r.get(key)
		if hc.user == "" {
			hc.user = r.env.user
		}
	}
	if hc.user == "" {
		return errors.New("cannot tell the local user name: set User in ssh config or give user@host")
	}
	if err := checkUser(hc.user); err != nil {
		return fmt.Errorf("user %q: %w", hc.user, err)
	}
	return nil
}

// identityFile collects the files of -i (which must exist), then every
// IdentityFile of the files, else ssh's default files.
func (r *resolver) identityFile(key string) error {
	hc := r.hc
	for _, f := range r.ov.identityFiles {
		p, err := r.path(key, f)
		if err != nil {
			return err
		}
		hc.identityFiles = append(hc.identityFiles, identitySpec{path: p, explicit: true})
	}
	ids, err := r.c.getAll(hc.alias, key)
	if err != nil {
		return err
	}
	for _, f := range ids {
		p, err := r.path(key, f)
		if err != nil {
			return err
		}
		hc.identityFiles = append(hc.identityFiles, identitySpec{path: p})
	}
	if len(hc.identityFiles) == 0 {
		for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			hc.identityFiles = append(hc.identityFiles, identitySpec{path: filepath.Join(r.env.home, ".ssh", name)})
		}
	}
	return nil
}

// certificateFile collects every CertificateFile of the files.
func (r *resolver) certificateFile(key string) error {
	files, err := r.c.getAll(r.hc.alias, key)
	if err != nil {
		return err
	}
	for _, f := range files {
		p, err := r.path(key, f)
		if err != nil {
			return err
		}
		r.hc.certificateFiles = append(r.hc.certificateFiles, p)
	}
	return nil
}

func (r *resolver) identityAgent(key string) error {
	switch v := r.get(key); v {
	case "", "SSH_AUTH_SOCK":
		r.hc.identityAgent = os.Getenv("SSH_AUTH_SOCK")
	case "none":
	default:
		if strings.HasPrefix(v, "$") {
			r.hc.identityAgent = os.Getenv(v[1:])
			return nil
		}
		p, err := r.path(key, v)
		if err != nil {
			return err
		}
		r.hc.identityAgent = p
	}
	return nil
}

func (r *resolver) hostKeyAlias(key string) error {
	if v := r.get(key); v != "" {
		if err := checkHostname(v); err != nil {
			return r.bad(key, v, err)
		}
		r.hc.hostKeyAlias = strings.ToLower(v)
	}
	return nil
}

func (r *resolver) strictHostKeyChecking(key string) error {
	switch v := r.get(key); strings.ToLower(v) {
	case "", "ask":
		r.hc.strict = strictAsk
	case "yes", "true":
		r.hc.strict = strictYes
	case "accept-new", "no", "off", "false":
		// A changed key is refused whatever this says; see hostkey.go.
		r.hc.strict = strictAcceptNew
	default:
		return r.bad(key, v, errors.New("want yes, no, accept-new, ask or off"))
	}
	return nil
}

func (r *resolver) connectTimeout(key string) error {
	if v := r.get(key); v != "" && v != "none" {
		d, err := parseSSHTime(v)
		if err != nil {
			return r.bad(key, v, err)
		}
		r.hc.connectTimeout = d
	}
	return nil
}

func (r *resolver) proxyJump(key string) error {
	r.jump = r.get(key)
	if r.ov.proxyJump != "" {
		r.jump = r.ov.proxyJump
	}
	if r.jump == "" || r.jump == "none" {
		return nil
	}
	for _, hop := range strings.Split(r.jump, ",") {
		ht, err := parseHostArg(strings.TrimSpace(hop))
		if err != nil {
			return r.bad(key, r.jump, err)
		}
		r.hc.proxyJump = append(r.hc.proxyJump, ht)
	}
	return nil
}

// proxyCommand refuses ProxyCommand unless ProxyJump (even "none") was set:
// ssh would run it through a shell; weblogctl never runs local programs,
// and connecting directly instead could bypass a bastion the user relies
// on.
func (r *resolver) proxyCommand(key string) error {
	if r.jump != "" {
		return nil
	}
	if v := r.get(key); v != "" && v != "none" {
		return fmt.Errorf("ssh config: ProxyCommand for %s is not supported (weblogctl runs no local commands); use ProxyJump", r.hc.alias)
	}
	return nil
}

// kbdInteractive reads KbdInteractiveAuthentication, or its older name
// ChallengeResponseAuthentication when it is not set.
func (r *resolver) kbdInteractive(key string) error {
	if r.get(key) == "" {
		key = "ChallengeResponseAuthentication"
	}
	return yesNo(true, func(hc *hostConfig) *bool { return &hc.kbdInteractive })(r, key)
}

func (r *resolver) passwordPrompts(key string) error {
	r.hc.passwordPrompts = 3
	if v := r.get(key); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100 {
			return r.bad(key, v, errors.New("want a number from 0 to 100"))
		}
		r.hc.passwordPrompts = n
	}
	return nil
}
