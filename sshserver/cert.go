package sshserver

import (
	"bytes"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/subsystem"
)

// Extensions of the Permissions of a certificate login (see auth.go).
const (
	extCertID          = "weblog-cert-id"           // the certificate's key ID
	extCertSerial      = "weblog-cert-serial"       // its serial, decimal
	extCertValidBefore = "weblog-cert-valid-before" // its end of validity, Unix seconds; absent: forever
	extForceCommand    = "weblog-force-command"     // its force-command, the connection's policy
)

// certAuthorities checks user certificates against the trusted
// certificate authorities and builds the subsystem that serves a
// certificate's force-command.
type certAuthorities struct {
	keys   *watchedFile[[][]byte] // the CA keys in wire format
	forced func(policy.ForcedCommand) (*subsystem.Server, error)

	mu    sync.Mutex
	cache map[string]*subsystem.Server // by force-command
}

// maxForcedCache bounds the subsystems kept for distinct forced commands;
// only the CA can make new ones, so it is rarely reached.
const maxForcedCache = 64

// parseCAKeys parses a TrustedUserCAKeys file: one public key per line in
// authorized_keys format, without options; blank lines and # comments
// are skipped. Like parseAuthorizedKeys, it refuses the whole file on a
// bad line.
func parseCAKeys(data []byte) ([][]byte, error) {
	var keys [][]byte
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, _, options, rest, err := ssh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		switch {
		case len(options) > 0:
			return nil, fmt.Errorf("line %d: options are not allowed on a CA key", n+1)
		case len(bytes.TrimSpace(rest)) > 0:
			return nil, fmt.Errorf("line %d: more than one key on the line", n+1)
		}
		if err := checkKeyType(key); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		keys = append(keys, key.Marshal())
	}
	if len(keys) == 0 {
		return nil, errors.New("no CA keys")
	}
	return keys, nil
}

// checkKeyType refuses key types and sizes that are not accepted for
// logging in (see keyTypes), certificates included.
func checkKeyType(key ssh.PublicKey) error {
	if !slices.Contains(keyTypes(), key.Type()) {
		return fmt.Errorf("%s keys are not accepted (use ssh-ed25519)", key.Type())
	}
	if ck, ok := key.(ssh.CryptoPublicKey); ok {
		if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key of %d bits: at least %d are needed", rk.N.BitLen(), minRSABits)
		}
	}
	return nil
}

// certificate authenticates a user certificate: ssh.CertChecker checks
// that a trusted CA signed it, that it is a user certificate valid now,
// that the user name is one of its principals and that it has no
// critical option besides force-command and source-address; x/crypto
// then enforces source-address on the Permissions returned. A
// force-command must be a weblog-server command line whose profile flags
// are valid (policy.ParseForcedCommand): it becomes the connection's
// policy. The Permissions are built here, not taken from the
// certificate, so that its extensions cannot pose as ours.
func (a *authenticator) certificate(md ssh.ConnMetadata, cert *ssh.Certificate) (*ssh.Permissions, error) {
	fp := ssh.FingerprintSHA256(cert.Key)
	what := fmt.Sprintf("certificate %s serial %d of key %s", strconv.Quote(cert.KeyId), cert.Serial, fp)
	if a.cas == nil {
		return nil, fmt.Errorf("%s: %w (no trusted CA keys)", what, errNotAllowed)
	}
	cas, err := a.cas.keys.get()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", what, errNotAllowed, err)
	}
	checker := &ssh.CertChecker{
		IsUserAuthority: func(k ssh.PublicKey) bool {
			blob := k.Marshal()
			found := false
			for _, ca := range cas {
				found = subtle.ConstantTimeCompare(ca, blob) == 1 || found
			}
			return found
		},
		SupportedCriticalOptions: []string{policy.CertForceCommand, policy.CertSourceAddress},
	}
	if _, err := checker.Authenticate(md, cert); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", what, errNotAllowed, err)
	}
	if err := checkKeyType(cert.Key); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", what, errNotAllowed, err)
	}
	if !slices.Contains(publicKeyAuthAlgorithms(), cert.Signature.Format) {
		return nil, fmt.Errorf("%s: %w: signed with %s", what, errNotAllowed, strconv.Quote(cert.Signature.Format))
	}
	ext := map[string]string{
		extMethod:     "publickey",
		extIdentity:   fp,
		extCertID:     cert.KeyId,
		extCertSerial: strconv.FormatUint(cert.Serial, 10),
	}
	if cert.ValidBefore != ssh.CertTimeInfinity {
		ext[extCertValidBefore] = strconv.FormatUint(cert.ValidBefore, 10)
	}
	if _, ok := cert.Extensions["permit-pty"]; !ok {
		ext[extNoPTY] = ""
	}
	if fc, ok := cert.CriticalOptions[policy.CertForceCommand]; ok {
		if _, err := a.cas.subsystem(fc); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", what, errNotAllowed, err)
		}
		ext[extForceCommand] = fc
	}
	perms := &ssh.Permissions{Extensions: ext}
	if src, ok := cert.CriticalOptions[policy.CertSourceAddress]; ok {
		perms.CriticalOptions = map[string]string{policy.CertSourceAddress: src}
	}
	return perms, nil
}

// subsystem returns what serves the sessions of a certificate with the
// force-command fc.
func (c *certAuthorities) subsystem(fc string) (*subsystem.Server, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sub, ok := c.cache[fc]; ok {
		return sub, nil
	}
	cmd, err := policy.ParseForcedCommand(fc)
	if err != nil {
		return nil, err
	}
	if c.forced == nil {
		return nil, errors.New("this server serves no certificate's forced command")
	}
	sub, err := c.forced(cmd)
	if err != nil {
		return nil, fmt.Errorf("forced command: %w", err)
	}
	if len(c.cache) >= maxForcedCache {
		clear(c.cache)
	}
	if c.cache == nil {
		c.cache = map[string]*subsystem.Server{}
	}
	c.cache[fc] = sub
	return sub, nil
}

// certValidBefore returns when the certificate the connection logged in
// with stops being valid, and whether there is such a time.
func certValidBefore(ext map[string]string) (time.Time, bool) {
	v, ok := ext[extCertValidBefore]
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// applyCert applies the certificate the connection logged in with, if
// any: its force-command's profile serves the sessions, and the
// connection is cut when the certificate expires (sshd lets a session
// outlive its certificate; access granted until a time ends then here).
// stop cancels the expiry timer.
func (c *conn) applyCert() (stop func(), err error) {
	ext := c.sconn.Permissions.Extensions
	id, ok := ext[extCertID]
	if !ok {
		return func() {}, nil
	}
	if fc, ok := ext[extForceCommand]; ok {
		sub, err := c.srv.auth.cas.subsystem(fc)
		if err != nil {
			return nil, err
		}
		c.sub = sub
	}
	until := "forever"
	vb, expires := certValidBefore(ext)
	if expires {
		until = vb.UTC().Format(time.RFC3339)
	}
	_, forced := ext[extForceCommand]
	c.srv.log.printf("#%d certificate id=%s serial=%s valid until %s, forced command: %t", c.id, q(id), ext[extCertSerial], until, forced)
	if !expires {
		return func() {}, nil
	}
	t := time.AfterFunc(time.Until(vb), func() {
		c.srv.log.printf("#%d certificate expired: disconnecting", c.id)
		c.sconn.Close()
	})
	return func() { t.Stop() }, nil
}
