package sshdial

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/wire"
)

// This file decides which credentials to offer, in ssh's order: keys from
// ssh-agent, then identity files, then keyboard-interactive and password
// prompts. Each key is a separate attempt, so a key whose passphrase the
// user does not know is skipped without giving up on the rest.

// ErrAuth means the server accepted none of the credentials offered.
var ErrAuth = errors.New("authentication failed")

// authError details an authentication failure; it wraps ErrAuth.
type authError struct {
	user    string
	tried   []string // what was offered, in order
	notes   []string // what was skipped, and why
	allowed []string // the methods the server accepts
	cause   error    // e.g. the server's disconnect message
}

func (e *authError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "authentication as %s failed", e.user)
	if len(e.tried) == 0 {
		b.WriteString(": nothing to offer")
	} else {
		b.WriteString(": tried " + strings.Join(compactLabels(e.tried), ", "))
	}
	if len(e.allowed) > 0 {
		b.WriteString("; the server accepts " + strings.Join(e.allowed, ", "))
	}
	for _, n := range e.notes {
		b.WriteString("; " + n)
	}
	if e.cause != nil {
		b.WriteString(": " + e.cause.Error())
	}
	return b.String()
}

func (e *authError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrAuth}
	}
	return []error{ErrAuth, e.cause}
}

// compactLabels turns repeated labels into one: "password (3 times)".
func compactLabels(labels []string) []string {
	var out []string
	for i := 0; i < len(labels); {
		j := i + 1
		for j < len(labels) && labels[j] == labels[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, fmt.Sprintf("%s (%d times)", labels[i], j-i))
		} else {
			out = append(out, labels[i])
		}
		i = j
	}
	return out
}

// loadedIdentity is a loaded identity file.
type loadedIdentity struct {
	path      string
	pub       ssh.PublicKey // nil when unknown until decrypted
	signer    ssh.Signer    // set for a key without passphrase
	encrypted []byte        // the file, for a key that needs a passphrase
}

const maxKeyFileSize = 1 << 20

// loadIdentity reads an identity file. A file that cannot be used is
// skipped: it returns nil and a note saying why ("" for a missing file,
// which ssh skips silently). Only an explicit file that is missing is an
// error.
func loadIdentity(spec identitySpec, warn func(string, ...any)) (*loadedIdentity, string, error) {
	path := spec.path
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// The public half alone still selects a key in the agent.
			if pub := readPublicKey(path + ".pub"); pub != nil {
				return &loadedIdentity{path: path, pub: pub}, "", nil
			}
			if spec.explicit {
				return nil, "", fmt.Errorf("identity file: %w", err)
			}
			return nil, "", nil
		}
		return nil, fmt.Sprintf("skipped %s: %v", path, err), nil
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Sprintf("skipped %s: not a regular file", path), nil
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) == os.Getuid() && st.Mode().Perm()&0o077 != 0 {
		warn("warning: ignoring private key %s: its permissions %04o are too open (it must not be accessible by others: chmod 600 %s)\n",
			path, st.Mode().Perm(), path)
		return nil, fmt.Sprintf("skipped %s: permissions %04o are too open", path, st.Mode().Perm()), nil
	}
	if st.Size() > maxKeyFileSize {
		return nil, fmt.Sprintf("skipped %s: too large for a private key", path), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Sprintf("skipped %s: %v", path, err), nil
	}
	raw, err := ssh.ParseRawPrivateKey(data)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		signer, err := ssh.NewSignerFromKey(raw)
		if err != nil {
			return nil, fmt.Sprintf("skipped %s: %v", path, err), nil
		}
		return &loadedIdentity{path: path, pub: signer.PublicKey(), signer: signer}, "", nil
	case errors.As(err, &missing):
		id := &loadedIdentity{path: path, pub: missing.PublicKey, encrypted: data}
		if id.pub == nil {
			id.pub = readPublicKey(path + ".pub")
		}
		return id, "", nil
	default:
		return nil, fmt.Sprintf("skipped %s: not a usable private key: %v", path, err), nil
	}
}

// readPublicKey reads a .pub file; nil if there is none or it is unusable.
func readPublicKey(path string) ssh.PublicKey {
	data, err := os.ReadFile(path)
	if err != nil || len(data) > maxKeyFileSize {
		return nil
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return nil
	}
	return pub
}

// authStep is one attempt: a method name (RFC 4252) and how to build it.
// build returns an error to skip the step, with the error as the note.
type authStep struct {
	method string
	label  string
	build  func() (ssh.AuthMethod, error)
}

// authPlan feeds the steps to x/crypto one by one through
// ssh.ClientConfig.AuthCallback, skipping those the server does not allow.
type authPlan struct {
	user     string
	host     string
	prompter Prompter // nil: nothing is asked
	prompts  int      // NumberOfPasswordPrompts
	debugf   func(string, ...any)

	steps   []authStep
	next    int
	tried   []string
	notes   []string
	fatal   error // a prompt failed: stop
	started bool
}

// authInput is what newAuthPlan needs besides the hop's settings.
type authInput struct {
	agentSigners []ssh.Signer
	agentNote    string   // why the agent is not used, if it is not
	prompter     Prompter // nil for non-interactive use
	passwords    bool     // false when the host key was not verified
	warn         func(string, ...any)
	debugf       func(string, ...any)
}

// newAuthPlan lays out the attempts for one hop. It fails only for an
// identity file named on the command line that does not exist.
func newAuthPlan(hc *hostConfig, in authInput) (*authPlan, error) {
	p := &authPlan{
		user:     hc.user,
		host:     hc.alias,
		prompter: in.prompter,
		prompts:  max(hc.passwordPrompts, 1),
		debugf:   in.debugf,
	}
	if in.agentNote != "" {
		p.notes = append(p.notes, in.agentNote)
	}
	if hc.pubkeyAuth {
		var ids []*loadedIdentity
		for _, spec := range hc.identityFiles {
			id, note, err := loadIdentity(spec, in.warn)
			if err != nil {
				return nil, err
			}
			if note != "" {
				p.notes = append(p.notes, note)
			}
			if id == nil {
				in.debugf("identity file %s not found", spec.path)
				continue
			}
			ids = append(ids, id)
		}
		certs := p.loadCertificates(hc, ids)
		p.addKeySteps(hc, in.agentSigners, ids, certs)
	}
	if p.prompter != nil && in.passwords {
		if hc.kbdInteractive {
			for range hc.passwordPrompts {
				p.steps = append(p.steps, authStep{method: "keyboard-interactive", label: "keyboard-interactive", build: p.keyboardInteractive})
			}
		}
		if hc.passwordAuth {
			for i := range hc.passwordPrompts {
				p.steps = append(p.steps, authStep{method: "password", label: "password", build: p.password(i)})
			}
		}
	}
	return p, nil
}

// loadCertificates reads the OpenSSH user certificates to offer, like ssh:
// each identity file's PATH-cert.pub, then every CertificateFile. A
// certificate is offered with the key it certifies, whether that key is in
// a file or in the agent; one that cannot be read is skipped with a note.
func (p *authPlan) loadCertificates(hc *hostConfig, ids []*loadedIdentity) []*ssh.Certificate {
	var certs []*ssh.Certificate
	add := func(path string, explicit bool) {
		cert, err := readCertificate(path)
		switch {
		case err == nil:
			if !slices.ContainsFunc(certs, func(c *ssh.Certificate) bool { return bytes.Equal(c.Marshal(), cert.Marshal()) }) {
				p.debugf("certificate %s: ID %q, serial %d, for %s", path, cert.KeyId, cert.Serial, describeKey(cert.Key))
				certs = append(certs, cert)
			}
		case errors.Is(err, fs.ErrNotExist) && !explicit:
		default:
			note := fmt.Sprintf("skipped certificate %s: %v", path, err)
			p.notes = append(p.notes, note)
			p.debugf("%s", note)
		}
	}
	for _, id := range ids {
		add(id.path+"-cert.pub", false)
	}
	for _, f := range hc.certificateFiles {
		add(f, true)
	}
	return certs
}

// readCertificate reads an OpenSSH user certificate (a -cert.pub file).
func readCertificate(path string) (*ssh.Certificate, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxKeyFileSize {
		return nil, errors.New("not a regular file of a usable size")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return nil, err
	}
	cert, ok := pub.(*ssh.Certificate)
	if !ok || cert.CertType != ssh.UserCert {
		return nil, errors.New("not an OpenSSH user certificate")
	}
	return cert, nil
}

// asCertificate returns k as a certificate, if it is one. An agent's keys
// are *agent.Key values, whatever their type, hence the parse.
func asCertificate(k ssh.PublicKey) (*ssh.Certificate, bool) {
	if c, ok := k.(*ssh.Certificate); ok {
		return c, true
	}
	if !strings.Contains(k.Type(), "-cert-") {
		return nil, false
	}
	parsed, err := ssh.ParsePublicKey(k.Marshal())
	if err != nil {
		return nil, false
	}
	c, ok := parsed.(*ssh.Certificate)
	return c, ok
}

// certified is the key a public key stands for: a certificate's key, or
// the key itself.
func certified(k ssh.PublicKey) ssh.PublicKey {
	if c, ok := asCertificate(k); ok {
		return c.Key
	}
	return k
}

func (p *authPlan) addKeySteps(hc *hostConfig, agentSigners []ssh.Signer, ids []*loadedIdentity, certs []*ssh.Certificate) {
	var offered [][]byte
	isOffered := func(k ssh.PublicKey) bool {
		return k != nil && slices.ContainsFunc(offered, func(b []byte) bool { return bytes.Equal(b, k.Marshal()) })
	}
	// certSteps offers, after a key, the certificates for it (signed by
	// signer, which holds the key).
	certSteps := func(label string, signer ssh.Signer) {
		for _, cert := range certs {
			if !bytes.Equal(cert.Key.Marshal(), signer.PublicKey().Marshal()) || isOffered(cert) {
				continue
			}
			cs, err := ssh.NewCertSigner(cert, signer)
			if err != nil {
				p.notes = append(p.notes, fmt.Sprintf("skipped certificate %q for %s: %v", cert.KeyId, label, err))
				continue
			}
			offered = append(offered, cert.Marshal())
			p.steps = append(p.steps, authStep{
				method: "publickey",
				label:  fmt.Sprintf("%s with certificate %q", label, cert.KeyId),
				build:  func() (ssh.AuthMethod, error) { return ssh.PublicKeys(cs), nil },
			})
		}
	}
	for _, s := range agentSigners {
		pub := s.PublicKey()
		if hc.identitiesOnly && !slices.ContainsFunc(ids, func(id *loadedIdentity) bool {
			return id.pub != nil && bytes.Equal(id.pub.Marshal(), certified(pub).Marshal())
		}) {
			p.debugf("IdentitiesOnly: not offering agent key %s", describeKey(pub))
			continue
		}
		if isOffered(pub) {
			continue
		}
		offered = append(offered, pub.Marshal())
		label := "agent key " + describeKey(pub)
		cert, isCert := asCertificate(pub)
		if isCert {
			label = fmt.Sprintf("agent certificate %q for %s", cert.KeyId, describeKey(cert.Key))
		}
		p.steps = append(p.steps, authStep{
			method: "publickey",
			label:  label,
			build:  func() (ssh.AuthMethod, error) { return ssh.PublicKeys(s), nil },
		})
		if !isCert {
			certSteps(label, s)
		}
	}
	for _, id := range ids {
		if isOffered(id.pub) {
			p.debugf("identity %s: already offered through the agent", id.path)
			continue
		}
		switch {
		case id.signer != nil:
			offered = append(offered, id.pub.Marshal())
			p.steps = append(p.steps, authStep{
				method: "publickey",
				label:  id.path,
				build:  func() (ssh.AuthMethod, error) { return ssh.PublicKeys(id.signer), nil },
			})
			certSteps(id.path, id.signer)
		case id.encrypted != nil:
			if id.pub != nil {
				offered = append(offered, id.pub.Marshal())
			}
			// One passphrase prompt serves the key and its certificates.
			ps := &passphraseSigner{plan: p, id: id}
			p.steps = append(p.steps, authStep{
				method: "publickey",
				label:  id.path,
				build:  func() (ssh.AuthMethod, error) { return p.encryptedKey(id, ps) },
			})
			if id.pub != nil && p.prompter != nil {
				certSteps(id.path, ps)
			}
		default:
			p.debugf("identity %s: only the public key exists and the agent does not hold it", id.path)
		}
	}
}

// encryptedKey offers a passphrase-protected key. When its public key is
// known, the passphrase is asked only if the server accepts that key.
func (p *authPlan) encryptedKey(id *loadedIdentity, ps *passphraseSigner) (ssh.AuthMethod, error) {
	if p.prompter == nil {
		return nil, fmt.Errorf("skipped %s: it needs a passphrase and there is no terminal to ask (or BatchMode is on)", id.path)
	}
	if id.pub != nil {
		return ssh.PublicKeys(ps), nil
	}
	signer, err := p.unlock(id)
	if err != nil {
		return nil, err
	}
	return ssh.PublicKeys(signer), nil
}

// unlock asks for id's passphrase, NumberOfPasswordPrompts times at most.
// An empty answer skips the key, as in ssh.
func (p *authPlan) unlock(id *loadedIdentity) (ssh.Signer, error) {
	prompt := fmt.Sprintf("Enter passphrase for key '%s': ", id.path)
	for range p.prompts {
		pass, err := p.prompter.Password(prompt)
		if err != nil {
			p.fatal = fmt.Errorf("read passphrase for %s: %w", id.path, err)
			return nil, p.fatal
		}
		if pass == "" {
			return nil, fmt.Errorf("skipped %s: no passphrase given", id.path)
		}
		signer, err := ssh.ParsePrivateKeyWithPassphrase(id.encrypted, []byte(pass))
		if err == nil {
			return signer, nil
		}
		if !errors.Is(err, x509.IncorrectPasswordError) {
			return nil, fmt.Errorf("skipped %s: %v", id.path, err)
		}
		prompt = fmt.Sprintf("Bad passphrase, try again for %s: ", id.path)
	}
	return nil, fmt.Errorf("skipped %s: wrong passphrase", id.path)
}

// passphraseSigner stands for a key whose passphrase has not been asked
// yet: x/crypto first asks the server whether it accepts the public key
// and calls Sign only if it does.
type passphraseSigner struct {
	plan   *authPlan
	id     *loadedIdentity
	signer ssh.Signer
}

func (s *passphraseSigner) PublicKey() ssh.PublicKey { return s.id.pub }

func (s *passphraseSigner) Sign(rand io.Reader, data []byte) (*ssh.Signature, error) {
	return s.SignWithAlgorithm(rand, data, "")
}

func (s *passphraseSigner) SignWithAlgorithm(rand io.Reader, data []byte, algorithm string) (*ssh.Signature, error) {
	if s.signer == nil {
		signer, err := s.plan.unlock(s.id)
		if err != nil {
			if s.plan.fatal == nil {
				s.plan.notes = append(s.plan.notes, err.Error())
			}
			return nil, err
		}
		if !bytes.Equal(signer.PublicKey().Marshal(), s.id.pub.Marshal()) {
			err := fmt.Errorf("skipped %s: the private key does not match its public key", s.id.path)
			s.plan.notes = append(s.plan.notes, err.Error())
			return nil, err
		}
		s.signer = signer
	}
	if as, ok := s.signer.(ssh.AlgorithmSigner); ok {
		return as.SignWithAlgorithm(rand, data, algorithm)
	}
	if algorithm != "" && algorithm != s.signer.PublicKey().Type() {
		return nil, fmt.Errorf("%s: cannot sign with %s", s.id.path, algorithm)
	}
	return s.signer.Sign(rand, data)
}

// maxQuestions bounds one keyboard-interactive round from the server.
const maxQuestions = 16

func (p *authPlan) keyboardInteractive() (ssh.AuthMethod, error) {
	return ssh.KeyboardInteractive(func(name, instruction string, questions []string, _ []bool) ([]string, error) {
		if len(questions) > maxQuestions {
			return nil, fmt.Errorf("server asked %d questions at once", len(questions))
		}
		var header string
		for _, s := range []string{name, instruction} {
			if s = strings.TrimSpace(wire.SanitizeLines(s)); s != "" {
				header += s + "\n"
			}
		}
		answers := make([]string, len(questions))
		for i, q := range questions {
			prompt := wire.SanitizeLines(q)
			if i == 0 {
				prompt = header + prompt
			}
			a, err := p.prompter.Password(prompt)
			if err != nil {
				p.fatal = fmt.Errorf("read answer: %w", err)
				return nil, p.fatal
			}
			answers[i] = a
		}
		return answers, nil
	}), nil
}

func (p *authPlan) password(attempt int) func() (ssh.AuthMethod, error) {
	return func() (ssh.AuthMethod, error) {
		return ssh.PasswordCallback(func() (string, error) {
			prompt := fmt.Sprintf("%s@%s's password: ", p.user, p.host)
			if attempt > 0 {
				prompt = "Permission denied, please try again.\n" + prompt
			}
			pw, err := p.prompter.Password(prompt)
			if err != nil {
				p.fatal = fmt.Errorf("read password: %w", err)
				return "", p.fatal
			}
			return pw, nil
		}), nil
	}
}

// callback is the ssh.ClientAuthCallback: it returns the next step the
// server allows, and an *authError when none is left.
func (p *authPlan) callback(ctx *ssh.ClientAuthContext) (ssh.AuthMethod, error) {
	p.started = true
	for p.fatal == nil && p.next < len(p.steps) {
		s := p.steps[p.next]
		p.next++
		if !slices.Contains(ctx.AllowedMethods, s.method) {
			continue
		}
		m, err := s.build()
		if err != nil {
			if p.fatal == nil {
				p.notes = append(p.notes, err.Error())
				p.debugf("%v", err)
			}
			continue
		}
		p.tried = append(p.tried, s.label)
		p.debugf("offering %s", s.label)
		return m, nil
	}
	if p.fatal != nil {
		return nil, p.fatal
	}
	return nil, p.failure(ctx.AllowedMethods, nil)
}

// succeeded names the method that a finished handshake authenticated with:
// the last one offered, since the server ends authentication on success.
func (p *authPlan) succeeded() string {
	if len(p.tried) == 0 {
		return ""
	}
	s := p.steps[p.next-1]
	if s.method == "publickey" {
		return "publickey " + s.label
	}
	return s.method
}

func (p *authPlan) failure(allowed []string, cause error) *authError {
	return &authError{
		user:    p.user,
		tried:   slices.Clone(p.tried),
		notes:   slices.Clone(p.notes),
		allowed: slices.Clone(allowed),
		cause:   cause,
	}
}

// handshakeError turns a failed handshake into the error Dial reports, or
// returns nil if authentication had nothing to do with it.
func (p *authPlan) handshakeError(err error) error {
	if p.fatal != nil {
		return p.fatal
	}
	var ae *authError
	if errors.As(err, &ae) {
		return ae
	}
	// A server that gives up during authentication ("Too many
	// authentication failures") disconnects; x/crypto has no type for it.
	if p.started && strings.Contains(err.Error(), "ssh: disconnect") {
		return p.failure(nil, errors.Unwrap(err))
	}
	return nil
}
