package sshdial

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// This file checks server host keys against known_hosts files, the way ssh
// does with StrictHostKeyChecking: a known key passes, a changed or revoked
// key is always refused, and an unknown key is refused, asked about or
// added, depending on the settings.

// Sentinel errors for host key failures; a *HostKeyError wraps one of them.
var (
	// ErrHostKeyUnknown means known_hosts holds no key for the host and the
	// key was not accepted: non-interactive use, BatchMode,
	// StrictHostKeyChecking=yes, or the user said no.
	ErrHostKeyUnknown = errors.New("host key unknown")
	// ErrHostKeyChanged means known_hosts holds a different key for the
	// host: possibly a man-in-the-middle attack. It is always refused.
	ErrHostKeyChanged = errors.New("host key changed")
	// ErrHostKeyRevoked means the key is marked @revoked in known_hosts.
	ErrHostKeyRevoked = errors.New("host key revoked")
)

// HostKeyError reports a host key that was not accepted. It wraps
// ErrHostKeyUnknown, ErrHostKeyChanged or ErrHostKeyRevoked.
type HostKeyError struct {
	// Host is the name looked up in known_hosts, as it appears there:
	// "web1.example.com", or "[10.0.0.1]:2222" for a port other than 22.
	Host string
	// Key is the key the server presented (nil when the server offered no
	// key of a type known for the host).
	Key ssh.PublicKey
	// Known lists the known_hosts lines involved: the expected keys for a
	// changed key, the @revoked line for a revoked one.
	Known []knownhosts.KnownKey
	// Files lists the known_hosts files that were read.
	Files []string
	// KnownHostsFile is the file that receives new keys for the host: the
	// first UserKnownHostsFile, after ~ and %-token expansion ("" when
	// UserKnownHostsFile is none). Hint names it.
	KnownHostsFile string
	// Reason says why an unknown key was refused, or details a change.
	Reason string
	// Err is the sentinel.
	Err error
}

// Error implements error; the text always contains "host key".
func (e *HostKeyError) Error() string {
	var b strings.Builder
	switch e.Err {
	case ErrHostKeyChanged:
		fmt.Fprintf(&b, "host key for %s has CHANGED (REMOTE HOST IDENTIFICATION HAS CHANGED)", e.Host)
		if e.Key != nil {
			fmt.Fprintf(&b, ": the server sent %s", describeKey(e.Key))
		}
		for i, k := range e.Known {
			sep := ", "
			if i == 0 {
				sep = "; expected "
				if e.Key == nil {
					sep = ": expected "
				}
			}
			fmt.Fprintf(&b, "%s%s from %s:%d", sep, describeKey(k.Key), k.Filename, k.Line)
		}
		if e.Reason != "" {
			fmt.Fprintf(&b, " (%s)", e.Reason)
		}
		b.WriteString("; someone may be intercepting the connection; refusing to connect")
	case ErrHostKeyRevoked:
		fmt.Fprintf(&b, "host key for %s (%s) is marked @revoked", e.Host, describeKey(e.Key))
		for _, k := range e.Known {
			fmt.Fprintf(&b, " in %s:%d", k.Filename, k.Line)
		}
		b.WriteString("; refusing to connect")
	default:
		fmt.Fprintf(&b, "host key for %s", e.Host)
		if e.Key != nil {
			fmt.Fprintf(&b, " (%s)", describeKey(e.Key))
		}
		b.WriteString(" is not known")
		if len(e.Files) > 0 {
			fmt.Fprintf(&b, " (known_hosts: %s)", strings.Join(e.Files, ", "))
		}
		if e.Reason != "" {
			fmt.Fprintf(&b, " and %s", e.Reason)
		}
		b.WriteString("; refusing to connect")
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *HostKeyError) Unwrap() error { return e.Err }

// describeKey renders a key as ssh does in its messages: "ED25519
// SHA256:…".
func describeKey(k ssh.PublicKey) string {
	if k == nil {
		return "no key"
	}
	return keyTypeName(k) + " " + ssh.FingerprintSHA256(k)
}

// keyTypeName is ssh's short name for a key type: ED25519, RSA, ECDSA.
func keyTypeName(k ssh.PublicKey) string {
	t := k.Type()
	if c, ok := k.(*ssh.Certificate); ok {
		t = c.Key.Type()
	}
	switch {
	case t == ssh.KeyAlgoED25519:
		return "ED25519"
	case t == ssh.KeyAlgoRSA:
		return "RSA"
	case strings.HasPrefix(t, "ecdsa-"):
		return "ECDSA"
	case strings.HasPrefix(t, "sk-ssh-ed25519"):
		return "ED25519-SK"
	case strings.HasPrefix(t, "sk-ecdsa"):
		return "ECDSA-SK"
	}
	return t
}

// hostKeyChecker verifies one hop's host key.
type hostKeyChecker struct {
	lookup    string   // host:port given to the knownhosts callback
	name      string   // lookup as written in known_hosts
	display   string   // for prompts: "web1 (10.0.0.1:22)"
	userFiles []string // UserKnownHostsFile; the first receives new keys
	files     []string // the files that exist and were read
	db        ssh.HostKeyCallback
	hasCA     bool // some file has a @cert-authority line

	strict   strictMode
	batch    bool
	hash     bool
	insecure bool
	prompter Prompter // nil: non-interactive
	stderr   io.Writer
	debug    func(format string, args ...any)

	// x/crypto checks the host key again at every re-key; the key passed
	// once is passed again without a second warning or question.
	mu       sync.Mutex
	accepted []byte
}

func newHostKeyChecker(hc *hostConfig, insecure bool, prompter Prompter, stderr io.Writer, debug func(string, ...any)) (*hostKeyChecker, error) {
	lookup := hc.addr()
	if hc.hostKeyAlias != "" {
		// ssh uses the alias as is, without the port.
		lookup = net.JoinHostPort(hc.hostKeyAlias, "22")
	}
	c := &hostKeyChecker{
		lookup:    lookup,
		name:      knownhosts.Normalize(lookup),
		display:   hc.String(),
		userFiles: hc.userKnownHosts,
		strict:    hc.strict,
		batch:     hc.batchMode,
		hash:      hc.hashKnownHosts,
		insecure:  insecure,
		prompter:  prompter,
		stderr:    stderr,
		debug:     debug,
	}
	if c.batch {
		c.prompter = nil
	}
	if insecure {
		return c, nil
	}
	for _, f := range slices.Concat(hc.userKnownHosts, hc.globalKnownHosts) {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read known_hosts: %w", err)
		}
		c.files = append(c.files, f)
		if hasCertAuthority(data) {
			c.hasCA = true
		}
	}
	db, err := knownhosts.New(c.files...)
	if err != nil {
		return nil, fmt.Errorf("read known_hosts: %w", err)
	}
	c.db = db
	debug("known_hosts files read for %s: %v", c.name, c.files)
	return c, nil
}

// hasCertAuthority reports whether a known_hosts file has a @cert-authority
// line.
func hasCertAuthority(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if bytes.HasPrefix(bytes.TrimSpace(sc.Bytes()), []byte("@cert-authority")) {
			return true
		}
	}
	return false
}

// probeKey is never equal to a real key: asking the knownhosts callback
// about it returns a KeyError listing every key known for the host (the
// work-around for https://go.dev/issue/29286, as in skeema/knownhosts).
type probeKey struct{}

func (probeKey) Type() string    { return "weblogctl-probe" }
func (probeKey) Marshal() []byte { return []byte("weblogctl-probe-key") }
func (probeKey) Verify([]byte, *ssh.Signature) error {
	return errors.New("probe key cannot verify")
}

func placeholderAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4zero} }

// knownKeys returns the keys known_hosts holds for the host, in file order.
func (c *hostKeyChecker) knownKeys() []knownhosts.KnownKey {
	if c.db == nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if errors.As(c.db(c.lookup, placeholderAddr(), probeKey{}), &ke) {
		return ke.Want
	}
	return nil
}

// plainHostKeyAlgos is the preference order for hosts with no known key:
// no certificates (a certificate is only useful with a @cert-authority
// line) and no SHA-1.
func plainHostKeyAlgos() []string {
	return []string{
		ssh.KeyAlgoED25519,
		ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
		ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256,
	}
}

// algorithms returns ssh.ClientConfig.HostKeyAlgorithms for the hop.
//
// x/crypto negotiates its own preferred host key algorithm, which need not
// be the type known_hosts holds: the server would then present, say, its
// ED25519 key while known_hosts has its RSA key, and the check would fail
// as "changed". So when keys are known, only their algorithms are offered
// (for an RSA key: rsa-sha2-512, rsa-sha2-256, ssh-rsa), preceded by the
// certificate algorithms when known_hosts trusts a certificate authority.
// A server that no longer has a key of any known type then fails the
// negotiation, which Dial reports as a changed host key.
func (c *hostKeyChecker) algorithms() []string {
	if c.insecure {
		return nil
	}
	var algos []string
	if c.hasCA {
		for _, a := range ssh.SupportedAlgorithms().HostKeys {
			if strings.Contains(a, "-cert-") {
				algos = append(algos, a)
			}
		}
	}
	known := c.knownKeys()
	if len(known) == 0 {
		if c.hasCA {
			return nil // x/crypto's default: certificates first
		}
		return plainHostKeyAlgos()
	}
	for _, k := range known {
		for _, a := range algorithmsForKey(k.Key.Type()) {
			if !slices.Contains(algos, a) {
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsForKey lists the host key algorithms that can present a key
// of the given type.
func algorithmsForKey(keyType string) []string {
	switch keyType {
	case ssh.KeyAlgoRSA:
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	case ssh.CertAlgoRSAv01:
		return []string{ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSAv01}
	}
	return []string{keyType}
}

// check is the ssh.HostKeyCallback.
func (c *hostKeyChecker) check(_ string, remote net.Addr, key ssh.PublicKey) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.accepted != nil && bytes.Equal(c.accepted, key.Marshal()) {
		return nil
	}
	err := c.verify(remote, key)
	if err == nil {
		c.accepted = key.Marshal()
	}
	return err
}

func (c *hostKeyChecker) verify(remote net.Addr, key ssh.PublicKey) error {
	if c.insecure {
		c.warnf("WARNING: NOT checking the host key of %s (%s): InsecureIgnoreHostKey is set.\n"+
			"Anyone on the network path can impersonate this host and read or change everything sent.\n", c.display, describeKey(key))
		return nil
	}
	if remote == nil {
		remote = placeholderAddr()
	}
	err := c.db(c.lookup, remote, key)
	if err == nil {
		c.debug("host key %s found in known_hosts for %s", describeKey(key), c.name)
		return nil
	}
	var revoked *knownhosts.RevokedError
	if errors.As(err, &revoked) {
		c.warnf("@@@ WARNING: the host key of %s (%s) is marked @revoked in %s:%d. @@@\n",
			c.display, describeKey(key), revoked.Revoked.Filename, revoked.Revoked.Line)
		return &HostKeyError{Host: c.name, Key: key, Known: []knownhosts.KnownKey{revoked.Revoked}, Files: c.files, KnownHostsFile: c.saveFile(), Err: ErrHostKeyRevoked}
	}
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		// A host certificate that failed its checks (expired, wrong
		// principal, bad signature).
		return &HostKeyError{Host: c.name, Key: key, Files: c.files, KnownHostsFile: c.saveFile(), Reason: "its certificate was rejected: " + err.Error(), Err: ErrHostKeyUnknown}
	}
	if len(ke.Want) > 0 {
		c.warnChanged(key, ke.Want)
		return &HostKeyError{Host: c.name, Key: key, Known: ke.Want, Files: c.files, KnownHostsFile: c.saveFile(), Err: ErrHostKeyChanged}
	}
	return c.unknown(key)
}

// unknown decides about a key known_hosts knows nothing about.
func (c *hostKeyChecker) unknown(key ssh.PublicKey) error {
	refuse := func(reason string) error {
		return &HostKeyError{Host: c.name, Key: key, Files: c.files, KnownHostsFile: c.saveFile(), Reason: reason, Err: ErrHostKeyUnknown}
	}
	if _, ok := key.(*ssh.Certificate); ok {
		return refuse("the server's host certificate is not signed by a @cert-authority in known_hosts")
	}
	switch c.strict {
	case strictYes:
		return refuse("StrictHostKeyChecking is yes")
	case strictAsk:
		if c.batch {
			return refuse("BatchMode is on")
		}
		if c.prompter == nil {
			return refuse("there is no terminal to ask whether to trust it")
		}
		ok, err := c.prompter.Confirm(fmt.Sprintf(
			"The authenticity of host %s can't be established.\n"+
				"%s key fingerprint is %s.\n"+
				"Are you sure you want to continue connecting (yes/no)? ",
			c.display, keyTypeName(key), ssh.FingerprintSHA256(key)))
		if err != nil {
			return fmt.Errorf("ask whether to trust the host key: %w", err)
		}
		if !ok {
			return refuse("you did not accept it")
		}
	}
	c.add(key)
	return nil
}

// saveFile is the file new keys go to, or "" for none.
func (c *hostKeyChecker) saveFile() string {
	if len(c.userFiles) == 0 {
		return ""
	}
	return c.userFiles[0]
}

// add appends key to the first UserKnownHostsFile. Like ssh, a failure to
// save is a warning, not an error: the user accepted the key.
func (c *hostKeyChecker) add(key ssh.PublicKey) {
	if len(c.userFiles) == 0 {
		c.warnf("warning: host key for %s (%s) accepted but not saved: UserKnownHostsFile is none\n", c.name, describeKey(key))
		return
	}
	file := c.userFiles[0]
	if err := appendKnownHost(file, c.name, key, c.hash); err != nil {
		c.warnf("warning: could not save the host key for %s: %v\n", c.name, err)
		return
	}
	c.warnf("warning: permanently added %s (%s) to the list of known hosts (%s)\n", c.name, describeKey(key), file)
}

// appendKnownHost appends a line for key to file, creating the file (0600)
// and its directory (0700) as needed.
func appendKnownHost(file, name string, key ssh.PublicKey, hash bool) error {
	if hash {
		name = knownhosts.HashHostname(name)
	}
	line := knownhosts.Line([]string{name}, key) + "\n"
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	// Do not glue the new line onto a last line without a newline.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = "\n" + line
		}
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// warnChanged prints ssh's warning for a changed host key.
func (c *hostKeyChecker) warnChanged(key ssh.PublicKey, want []knownhosts.KnownKey) {
	var b strings.Builder
	b.WriteString("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n")
	b.WriteString("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n")
	b.WriteString("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n")
	b.WriteString("IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n")
	b.WriteString("Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n")
	b.WriteString("It is also possible that a host key has just been changed.\n")
	fmt.Fprintf(&b, "The fingerprint for the %s key sent by %s is\n%s.\n", keyTypeName(key), c.display, ssh.FingerprintSHA256(key))
	for _, k := range want {
		fmt.Fprintf(&b, "Expected %s key in %s:%d\n", keyTypeName(k.Key), k.Filename, k.Line)
	}
	fmt.Fprintf(&b, "Host key verification failed: the connection was refused.\n")
	c.warnf("%s", b.String())
}

// changedAlgorithms builds the error for a server that offers no host key
// algorithm matching the keys known_hosts holds for it.
func (c *hostKeyChecker) changedAlgorithms(neg *ssh.AlgorithmNegotiationError) error {
	known := c.knownKeys()
	if len(known) == 0 {
		return nil
	}
	c.warnf("@@@ WARNING: %s offers no host key of the type(s) known_hosts holds for it (offered: %s). @@@\n",
		c.display, strings.Join(neg.RequestedAlgorithms, ","))
	return &HostKeyError{
		Host:           c.name,
		Known:          known,
		Files:          c.files,
		KnownHostsFile: c.saveFile(),
		Reason:         "the server offers only " + strings.Join(neg.RequestedAlgorithms, ", "),
		Err:            ErrHostKeyChanged,
	}
}

func (c *hostKeyChecker) warnf(format string, args ...any) {
	if c.stderr != nil {
		fmt.Fprintf(c.stderr, format, args...)
	}
}

// hostForHint quotes a known_hosts name for a shell command line.
func hostForHint(name string) string {
	if name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_/:@+,=%") == "" {
		return name
	}
	return "'" + strings.ReplaceAll(name, "'", `'\''`) + "'"
}

// keyscanCommand suggests how to fetch the key of a host named as in
// known_hosts ("web1" or "[web1]:2222").
func keyscanCommand(name string) string {
	if h, p, err := net.SplitHostPort(name); err == nil {
		if _, err := strconv.Atoi(p); err == nil {
			return "ssh-keyscan -p " + p + " " + hostForHint(h)
		}
	}
	return "ssh-keyscan " + hostForHint(name)
}
