package sshserver

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
)

// Who logged in travels from the authentication callbacks to the
// connection in ssh.Permissions.Extensions: the connection acts on the
// Permissions that x/crypto returns for the successful attempt, never on a
// key that was merely offered.
const (
	extMethod   = "weblog-method"   // "publickey" or "password"
	extIdentity = "weblog-identity" // the key's SHA256 fingerprint, or "password"
	extComment  = "weblog-comment"  // the key's comment in authorized_keys
	extNoPTY    = "weblog-no-pty"   // present: refuse pty-req (restrict, no-pty)
)

// errNotAllowed is what a refused credential reports to AuthLogCallback;
// the client only learns that the method failed.
var errNotAllowed = errors.New("not allowed")

// authenticator checks credentials against the authorized_keys and
// password files.
type authenticator struct {
	keys      *watchedFile[[]authorizedKey]   // nil: keys allow nothing
	passwords *watchedFile[map[string][]byte] // nil: no password logins
	cas       *certAuthorities                // nil: no certificates
	dummyHash []byte                          // compared for unknown users, to take as long
}

// newAuthenticator reads both files once, so that a mistake in them stops
// the server from starting rather than locking everyone out.
func newAuthenticator(keysFile, passwordFile, caFile string) (*authenticator, error) {
	if keysFile == "" && passwordFile == "" && caFile == "" {
		return nil, errors.New("no authorized keys file, trusted CA keys file or password file: nobody could log in")
	}
	a := &authenticator{}
	if caFile != "" {
		a.cas = &certAuthorities{keys: &watchedFile[[][]byte]{path: caFile, what: "trusted user CA keys", perm: 0o022, parse: parseCAKeys}}
		if _, err := a.cas.keys.get(); err != nil {
			return nil, err
		}
	}
	if keysFile != "" {
		a.keys = &watchedFile[[]authorizedKey]{path: keysFile, what: "authorized keys", perm: 0o022, parse: parseAuthorizedKeys}
		if _, err := a.keys.get(); err != nil {
			return nil, err
		}
	}
	if passwordFile != "" {
		a.passwords = &watchedFile[map[string][]byte]{path: passwordFile, what: "password file", perm: 0o026, parse: parsePasswords}
		if _, err := a.passwords.get(); err != nil {
			return nil, err
		}
		secret := make([]byte, 32)
		rand.Read(secret)
		h, err := bcrypt.GenerateFromPassword(secret, bcrypt.DefaultCost)
		if err != nil {
			return nil, err
		}
		a.dummyHash = h
	}
	return a, nil
}

// publicKey is the ssh.ServerConfig.PublicKeyCallback: any user name may
// log in with a key listed in the authorized keys file; a certificate is
// checked by certificate.
func (a *authenticator) publicKey(md ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	if cert, ok := key.(*ssh.Certificate); ok {
		return a.certificate(md, cert)
	}
	fp := ssh.FingerprintSHA256(key)
	if a.keys == nil {
		return nil, fmt.Errorf("key %s: %w (no authorized keys file)", fp, errNotAllowed)
	}
	keys, err := a.keys.get()
	if err != nil {
		return nil, fmt.Errorf("key %s: %w: %w", fp, errNotAllowed, err)
	}
	blob := key.Marshal()
	for _, k := range keys {
		if subtle.ConstantTimeCompare(k.blob, blob) == 1 {
			ext := map[string]string{
				extMethod:   "publickey",
				extIdentity: fp,
				extComment:  k.comment,
			}
			if k.noPTY {
				ext[extNoPTY] = ""
			}
			return &ssh.Permissions{Extensions: ext}, nil
		}
	}
	return nil, fmt.Errorf("key %s (%s): %w: not in authorized keys", fp, key.Type(), errNotAllowed)
}

// password is the ssh.ServerConfig.PasswordCallback.
func (a *authenticator) password(md ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
	users, err := a.passwords.get()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNotAllowed, err)
	}
	hash, known := users[md.User()]
	if !known {
		hash = a.dummyHash
	}
	err = bcrypt.CompareHashAndPassword(hash, password)
	if !known || err != nil {
		return nil, fmt.Errorf("wrong user or password: %w", errNotAllowed)
	}
	return &ssh.Permissions{Extensions: map[string]string{
		extMethod:   "password",
		extIdentity: "password",
	}}, nil
}

// authorizedKey is one line of an authorized keys file.
type authorizedKey struct {
	blob    []byte // the key in SSH wire format
	comment string
	noPTY   bool
}

// supportedKeyOptions lists the authorized_keys options accepted: they
// restrict what the server never does anyway, except no-pty (and
// restrict), which makes it refuse pty-req. Any other option is refused,
// since ignoring one (from=, command=, expiry-time=) would grant more than
// the line says.
const supportedKeyOptions = "restrict, no-pty, no-port-forwarding, no-agent-forwarding, no-x11-forwarding, no-user-rc"

// parseAuthorizedKeys parses an authorized_keys file. Unlike sshd, which
// skips lines it does not understand, it refuses the whole file with the
// line number: a key nobody notices is ignored is worse than an error.
func parseAuthorizedKeys(data []byte) ([]authorizedKey, error) {
	var keys []authorizedKey
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, err := parseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func parseAuthorizedKey(line []byte) (authorizedKey, error) {
	key, comment, options, rest, err := ssh.ParseAuthorizedKey(line)
	if err != nil {
		return authorizedKey{}, err
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return authorizedKey{}, errors.New("more than one key on the line")
	}
	if !slices.Contains(keyTypes(), key.Type()) {
		return authorizedKey{}, fmt.Errorf("%s keys are not accepted (use ssh-ed25519)", key.Type())
	}
	if ck, ok := key.(ssh.CryptoPublicKey); ok {
		if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < minRSABits {
			return authorizedKey{}, fmt.Errorf("RSA key of %d bits: at least %d are needed", rk.N.BitLen(), minRSABits)
		}
	}
	k := authorizedKey{blob: key.Marshal(), comment: comment}
	for _, o := range options {
		switch strings.ToLower(o) {
		case "restrict", "no-pty":
			k.noPTY = true
		case "no-port-forwarding", "no-agent-forwarding", "no-x11-forwarding", "no-user-rc":
		default:
			return authorizedKey{}, fmt.Errorf("option %q is not supported by the embedded server (supported: %s)", o, supportedKeyOptions)
		}
	}
	return k, nil
}

// parsePasswords parses a password file: USER:BCRYPT-HASH per line.
func parsePasswords(data []byte) (map[string][]byte, error) {
	users := map[string][]byte{}
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		user, hash, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(user) == 0 {
			return nil, fmt.Errorf("line %d: want USER:HASH", n+1)
		}
		if !printable(user) || bytes.ContainsAny(user, " \t") {
			return nil, fmt.Errorf("line %d: user name with spaces or control characters", n+1)
		}
		if !bytes.HasPrefix(hash, []byte("$2a$")) && !bytes.HasPrefix(hash, []byte("$2b$")) && !bytes.HasPrefix(hash, []byte("$2y$")) {
			return nil, fmt.Errorf("line %d: not a bcrypt hash (want $2a$, $2b$ or $2y$; make one with htpasswd -nbB USER PASSWORD)", n+1)
		}
		if _, err := bcrypt.Cost(hash); err != nil {
			return nil, fmt.Errorf("line %d: bad bcrypt hash: %w", n+1, err)
		}
		if _, dup := users[string(user)]; dup {
			return nil, fmt.Errorf("line %d: user %q given twice", n+1, user)
		}
		users[string(user)] = bytes.Clone(hash)
	}
	return users, nil
}

// printable reports whether b is valid UTF-8 without control characters.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}
