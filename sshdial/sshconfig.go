package sshdial

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kevinburke/ssh_config"
)

// This file turns a HOST argument and the ssh_config files into the settings
// for one connection (a hostConfig), the way ssh(1) does. Only the keywords
// listed in resolveHost are read; the rest of ssh_config is ignored.

// hostArg is a parsed HOST argument.
type hostArg struct {
	user string // "" when not given
	host string // alias or address, without brackets
	port int    // 0 when not given
}

// parseHostArg parses a HOST argument: [user@]host[:port], [user@][addr]:port
// for IPv6 addresses (or [addr] alone), or ssh://[user@]host[:port]. An IPv6
// address without brackets is accepted when it carries no port. The user is
// everything before the last '@', as in ssh. On error the result is the zero
// hostArg.
func parseHostArg(s string) (hostArg, error) {
	t, err := parseHostArgParts(s)
	if err != nil {
		return hostArg{}, fmt.Errorf("bad host %q: %w", s, err)
	}
	return t, nil
}

func parseHostArgParts(s string) (hostArg, error) {
	rest := strings.TrimPrefix(s, "ssh://")
	if rest == "" {
		return hostArg{}, errors.New("empty host")
	}
	var t hostArg
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		t.user, rest = rest[:i], rest[i+1:]
		if err := checkUser(t.user); err != nil {
			return hostArg{}, err
		}
	}
	host, port := rest, ""
	hasPort := false
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return hostArg{}, errors.New("missing ']'")
		}
		host = rest[1:end]
		if after := rest[end+1:]; after != "" {
			if after[0] != ':' {
				return hostArg{}, errors.New("unexpected text after ']'")
			}
			port, hasPort = after[1:], true
		}
	case strings.Count(rest, ":") == 1:
		host, port, _ = strings.Cut(rest, ":")
		hasPort = true
	case strings.Count(rest, ":") > 1:
		if _, err := netip.ParseAddr(rest); err != nil {
			return hostArg{}, errors.New("write an IPv6 address with a port as [addr]:port")
		}
	}
	if err := checkHostname(host); err != nil {
		return hostArg{}, err
	}
	t.host = host
	if hasPort {
		p, err := parsePort(port)
		if err != nil {
			return hostArg{}, err
		}
		t.port = p
	}
	return t, nil
}

// String formats t so that parseHostArg(t.String()) == t.
func (t hostArg) String() string {
	var b strings.Builder
	if t.user != "" {
		b.WriteString(t.user)
		b.WriteByte('@')
	}
	if strings.Contains(t.host, ":") {
		b.WriteString("[" + t.host + "]")
	} else {
		b.WriteString(t.host)
	}
	if t.port != 0 {
		b.WriteString(":" + strconv.Itoa(t.port))
	}
	return b.String()
}

// checkHostname accepts host names, aliases and IP addresses. It is stricter
// than ssh on purpose: host names end up in known_hosts lines, prompts and
// hints, so only letters, digits and "-._+" are allowed, plus ':' and '%'
// inside an IP address.
func checkHostname(h string) error {
	if h == "" {
		return errors.New("empty host name")
	}
	if len(h) > 1024 {
		return errors.New("host name too long")
	}
	if h[0] == '-' {
		return errors.New("host name starts with '-'")
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !isAlnum(c) && !strings.ContainsRune("-._+:%", rune(c)) {
			return fmt.Errorf("character %q not allowed in a host name", c)
		}
	}
	if strings.ContainsAny(h, ":%") {
		if _, err := netip.ParseAddr(h); err != nil {
			return errors.New("':' or '%' in a host name that is not an IP address")
		}
	}
	return nil
}

// checkUser refuses user names that are empty, start with '-', or contain
// spaces, control bytes or shell metacharacters (like ssh's valid_ruser).
func checkUser(u string) error {
	if u == "" {
		return errors.New("empty user name")
	}
	if len(u) > 256 {
		return errors.New("user name too long")
	}
	if u[0] == '-' {
		return errors.New("user name starts with '-'")
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c == 0x7f || strings.ContainsRune("'`\"$\\;&<>|(){}*?![]#~", rune(c)) {
			return fmt.Errorf("character %q not allowed in a user name", c)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// parsePort parses a decimal TCP port, 1 to 65535.
func parsePort(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty port")
	}
	if len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("bad port %q", s)
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return p, nil
}

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

	identityFiles  []identitySpec
	identitiesOnly bool
	identityAgent  string // socket path; "" means no agent

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

// localEnv is what the local side contributes to ssh_config expansion.
type localEnv struct {
	home     string
	user     string
	uid      string
	hostname string
}

func newLocalEnv() (*localEnv, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, fmt.Errorf("find home directory: %w", err)
	}
	env := &localEnv{home: home}
	if u, err := user.Current(); err == nil {
		env.user, env.uid = u.Username, u.Uid
	} else {
		env.uid = strconv.Itoa(os.Getuid())
		env.user = os.Getenv("USER")
		if env.user == "" {
			env.user = os.Getenv("LOGNAME")
		}
	}
	env.hostname, _ = os.Hostname()
	return env, nil
}

// sshConfig is the ssh_config files read for one Dial, first one first:
// like ssh, the first value found for a keyword wins.
type sshConfig struct {
	files []sshConfigFile
}

type sshConfigFile struct {
	path string
	cfg  *ssh_config.Config
}

const defaultSystemConfig = "/etc/ssh/ssh_config"

// loadSSHConfig reads the files Config names: ConfigFile "" means
// ~/.ssh/config (if present) followed by the system-wide file; any other
// ConfigFile replaces both, like ssh -F; "none" reads nothing.
func loadSSHConfig(env *localEnv, configFile, systemFile string) (*sshConfig, error) {
	c := &sshConfig{}
	switch configFile {
	case "none":
		return c, nil
	case "":
		if err := c.read(filepath.Join(env.home, ".ssh", "config"), false, true); err != nil {
			return nil, err
		}
		switch systemFile {
		case "none":
		case "":
			if err := c.read(defaultSystemConfig, false, false); err != nil {
				return nil, err
			}
		default:
			if err := c.read(expandTilde(systemFile, env.home), true, false); err != nil {
				return nil, err
			}
		}
	default:
		if err := c.read(expandTilde(configFile, env.home), true, true); err != nil {
			return nil, err
		}
	}
	return c, nil
}

const maxConfigSize = 1 << 20

func (c *sshConfig) read(path string, required, userOwned bool) error {
	f, err := os.Open(path)
	if err != nil {
		if !required && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("read ssh config: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read ssh config: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("read ssh config %s: not a regular file", path)
	}
	if userOwned && st.Mode().Perm()&0o022 != 0 {
		// ssh refuses such a file too: anyone who can write it can
		// redirect connections or switch off host key checking.
		return fmt.Errorf("read ssh config %s: bad permissions %04o: it must not be writable by group or others", path, st.Mode().Perm())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return fmt.Errorf("read ssh config: %w", err)
	}
	if len(data) > maxConfigSize {
		return fmt.Errorf("read ssh config %s: larger than %d bytes", path, maxConfigSize)
	}
	cfg, err := ssh_config.DecodeBytes(data)
	if err != nil {
		return fmt.Errorf("parse ssh config %s: %w", path, err)
	}
	c.files = append(c.files, sshConfigFile{path: path, cfg: cfg})
	return nil
}

// get returns the first value of key for alias.
func (c *sshConfig) get(alias, key string) (string, error) {
	for _, f := range c.files {
		v, err := f.cfg.Get(alias, key)
		if err != nil {
			return "", fmt.Errorf("ssh config %s: %w", f.path, err)
		}
		if v != "" {
			return v, nil
		}
	}
	return "", nil
}

// getAll returns every value of key for alias, for keywords that accumulate
// (IdentityFile).
func (c *sshConfig) getAll(alias, key string) ([]string, error) {
	var all []string
	for _, f := range c.files {
		v, err := f.cfg.GetAll(alias, key)
		if err != nil {
			return nil, fmt.Errorf("ssh config %s: %w", f.path, err)
		}
		all = append(all, v...)
	}
	return all, nil
}

// resolveOverrides are the command-line settings, applied to the final
// destination only (never to jump hosts), like ssh's -l, -p, -i and -J.
type resolveOverrides struct {
	user          string
	port          int
	identityFiles []string
	proxyJump     string
}

// resolveHost computes the settings for t from the ssh_config files.
func resolveHost(c *sshConfig, env *localEnv, t hostArg, ov *resolveOverrides) (*hostConfig, error) {
	alias := t.host
	var cerr error
	get := func(key string) string {
		v, err := c.get(alias, key)
		if err != nil && cerr == nil {
			cerr = err
		}
		return v
	}
	bad := func(key, val string, err error) error {
		return fmt.Errorf("ssh config: %s %q for %s: %w", key, val, alias, err)
	}
	hc := &hostConfig{alias: alias}

	hc.hostname = alias
	if v := get("HostName"); v != "" {
		h, err := expandTokens(v, map[byte]string{'h': alias})
		if err != nil {
			return nil, bad("HostName", v, err)
		}
		if err := checkHostname(h); err != nil {
			return nil, bad("HostName", v, err)
		}
		hc.hostname = h
	}
	// ssh matches known_hosts entries case-insensitively by writing and
	// looking up host names in lower case.
	hc.hostname = strings.ToLower(hc.hostname)

	switch {
	case ov != nil && ov.port != 0:
		if ov.port < 1 || ov.port > 65535 {
			return nil, fmt.Errorf("bad port %d", ov.port)
		}
		hc.port = ov.port
	case t.port != 0:
		hc.port = t.port
	default:
		hc.port = 22
		if v := get("Port"); v != "" {
			p, err := parsePort(v)
			if err != nil {
				return nil, bad("Port", v, err)
			}
			hc.port = p
		}
	}

	switch {
	case ov != nil && ov.user != "":
		hc.user = ov.user
	case t.user != "":
		hc.user = t.user
	default:
		hc.user = get("User")
		if hc.user == "" {
			hc.user = env.user
		}
	}
	if hc.user == "" {
		return nil, errors.New("cannot tell the local user name: set User in ssh config or give user@host")
	}
	if err := checkUser(hc.user); err != nil {
		return nil, fmt.Errorf("user %q: %w", hc.user, err)
	}

	tokens := map[byte]string{
		'd': env.home,
		'h': hc.hostname,
		'i': env.uid,
		'L': strings.SplitN(env.hostname, ".", 2)[0],
		'l': env.hostname,
		'n': alias,
		'p': strconv.Itoa(hc.port),
		'r': hc.user,
		'u': env.user,
	}
	path := func(key, v string) (string, error) {
		p, err := expandTokens(expandTilde(v, env.home), tokens)
		if err != nil {
			return "", bad(key, v, err)
		}
		return p, nil
	}
	paths := func(key, v string) ([]string, error) {
		if v == "none" {
			return []string{}, nil
		}
		var out []string
		for _, f := range strings.Fields(v) {
			p, err := path(key, f)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, nil
	}
	flag := func(key string, def bool) (bool, error) {
		v := get(key)
		if v == "" {
			return def, nil
		}
		b, err := parseYesNo(v)
		if err != nil {
			return false, bad(key, v, err)
		}
		return b, nil
	}
	var err error

	if ov != nil {
		for _, f := range ov.identityFiles {
			p, err := path("IdentityFile", f)
			if err != nil {
				return nil, err
			}
			hc.identityFiles = append(hc.identityFiles, identitySpec{path: p, explicit: true})
		}
	}
	ids, err := c.getAll(alias, "IdentityFile")
	if err != nil {
		return nil, err
	}
	for _, f := range ids {
		p, err := path("IdentityFile", f)
		if err != nil {
			return nil, err
		}
		hc.identityFiles = append(hc.identityFiles, identitySpec{path: p})
	}
	if len(hc.identityFiles) == 0 {
		for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			hc.identityFiles = append(hc.identityFiles, identitySpec{path: filepath.Join(env.home, ".ssh", name)})
		}
	}
	if hc.identitiesOnly, err = flag("IdentitiesOnly", false); err != nil {
		return nil, err
	}
	switch v := get("IdentityAgent"); v {
	case "", "SSH_AUTH_SOCK":
		hc.identityAgent = os.Getenv("SSH_AUTH_SOCK")
	case "none":
	default:
		if strings.HasPrefix(v, "$") {
			hc.identityAgent = os.Getenv(v[1:])
		} else if hc.identityAgent, err = path("IdentityAgent", v); err != nil {
			return nil, err
		}
	}

	if v := get("UserKnownHostsFile"); v != "" {
		if hc.userKnownHosts, err = paths("UserKnownHostsFile", v); err != nil {
			return nil, err
		}
	} else {
		hc.userKnownHosts = []string{
			filepath.Join(env.home, ".ssh", "known_hosts"),
			filepath.Join(env.home, ".ssh", "known_hosts2"),
		}
	}
	if v := get("GlobalKnownHostsFile"); v != "" {
		if hc.globalKnownHosts, err = paths("GlobalKnownHostsFile", v); err != nil {
			return nil, err
		}
	} else {
		hc.globalKnownHosts = []string{"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"}
	}
	if v := get("HostKeyAlias"); v != "" {
		if err := checkHostname(v); err != nil {
			return nil, bad("HostKeyAlias", v, err)
		}
		hc.hostKeyAlias = strings.ToLower(v)
	}
	if hc.hashKnownHosts, err = flag("HashKnownHosts", false); err != nil {
		return nil, err
	}
	switch v := get("StrictHostKeyChecking"); strings.ToLower(v) {
	case "", "ask":
		hc.strict = strictAsk
	case "yes", "true":
		hc.strict = strictYes
	case "accept-new", "no", "off", "false":
		// A changed key is refused whatever this says; see hostkey.go.
		hc.strict = strictAcceptNew
	default:
		return nil, bad("StrictHostKeyChecking", v, errors.New("want yes, no, accept-new, ask or off"))
	}
	if hc.batchMode, err = flag("BatchMode", false); err != nil {
		return nil, err
	}
	if v := get("ConnectTimeout"); v != "" && v != "none" {
		if hc.connectTimeout, err = parseSSHTime(v); err != nil {
			return nil, bad("ConnectTimeout", v, err)
		}
	}

	jump := get("ProxyJump")
	if ov != nil && ov.proxyJump != "" {
		jump = ov.proxyJump
	}
	if jump != "" && jump != "none" {
		for _, hop := range strings.Split(jump, ",") {
			ht, err := parseHostArg(strings.TrimSpace(hop))
			if err != nil {
				return nil, bad("ProxyJump", jump, err)
			}
			hc.proxyJump = append(hc.proxyJump, ht)
		}
	}
	if jump == "" {
		// ssh would run ProxyCommand through a shell; weblogctl never runs
		// local programs, and connecting directly instead could bypass a
		// bastion the user relies on.
		if v := get("ProxyCommand"); v != "" && v != "none" {
			return nil, fmt.Errorf("ssh config: ProxyCommand for %s is not supported (weblogctl runs no local commands); use ProxyJump", alias)
		}
	}

	if hc.pubkeyAuth, err = flag("PubkeyAuthentication", true); err != nil {
		return nil, err
	}
	if hc.passwordAuth, err = flag("PasswordAuthentication", true); err != nil {
		return nil, err
	}
	kbdKey := "KbdInteractiveAuthentication"
	if get(kbdKey) == "" {
		kbdKey = "ChallengeResponseAuthentication"
	}
	if hc.kbdInteractive, err = flag(kbdKey, true); err != nil {
		return nil, err
	}
	hc.passwordPrompts = 3
	if v := get("NumberOfPasswordPrompts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100 {
			return nil, bad("NumberOfPasswordPrompts", v, errors.New("want a number from 0 to 100"))
		}
		hc.passwordPrompts = n
	}
	// Hook: ServerAliveInterval and ServerAliveCountMax would be read here
	// and handed to Conn.Keepalive by Dial's caller.

	if cerr != nil {
		return nil, cerr
	}
	return hc, nil
}

func parseYesNo(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "true":
		return true, nil
	case "no", "false":
		return false, nil
	}
	return false, errors.New("want yes or no")
}

// expandTilde replaces a leading "~" or "~/" with home and "~user/" with
// that user's home directory, like ssh's tilde_expand_filename. Paths it
// cannot expand are returned unchanged.
func expandTilde(p, home string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	name, rest, _ := strings.Cut(p[1:], "/")
	dir := home
	if name != "" {
		u, err := user.Lookup(name)
		if err != nil {
			return p
		}
		dir = u.HomeDir
	}
	if rest == "" {
		return dir
	}
	return filepath.Join(dir, rest)
}

// expandTokens replaces ssh_config %-tokens: "%%" is a '%', "%x" is
// tokens['x']. An unknown token or a trailing '%' is an error, as in ssh. On
// error the result is "".
func expandTokens(s string, tokens map[byte]string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", errors.New("'%' at the end")
		}
		if s[i] == '%' {
			b.WriteByte('%')
			continue
		}
		v, ok := tokens[s[i]]
		if !ok {
			return "", fmt.Errorf("unknown token %%%c", s[i])
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// parseSSHTime parses an ssh_config time value (sshd_config(5) "TIME
// FORMATS"): a number of seconds, or a sequence of numbers each followed by
// s, m, h, d or w, like "1m30s". On error it returns 0.
func parseSSHTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty time")
	}
	const limit = 365 * 24 * time.Hour
	var total time.Duration
	for rest := s; rest != ""; {
		n := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
		if n == 0 || n > 9 {
			return 0, fmt.Errorf("bad time %q", s)
		}
		v, _ := strconv.Atoi(rest[:n])
		rest = rest[n:]
		unit := time.Second
		if rest != "" {
			switch rest[0] {
			case 's', 'S':
			case 'm', 'M':
				unit = time.Minute
			case 'h', 'H':
				unit = time.Hour
			case 'd', 'D':
				unit = 24 * time.Hour
			case 'w', 'W':
				unit = 7 * 24 * time.Hour
			default:
				return 0, fmt.Errorf("bad time %q", s)
			}
			rest = rest[1:]
		}
		if time.Duration(v) > limit/unit {
			return 0, fmt.Errorf("time %q too long", s)
		}
		total += time.Duration(v) * unit
		if total > limit {
			return 0, fmt.Errorf("time %q too long", s)
		}
	}
	return total, nil
}
