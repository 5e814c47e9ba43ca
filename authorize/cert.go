package authorize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/policy"
)

// DefaultPrincipal is the principal a certificate names when none is
// given: the README's AuthorizedPrincipalsFile lists it for the account
// that runs weblog-server.
const DefaultPrincipal = "weblog"

// Cert is what a certificate adds to its Grant.
type Cert struct {
	CAFile     string   // the CA's private key (OpenSSH format)
	Principals []string // none: DefaultPrincipal
	KeyID      string   // "": the Grant's Comment, else the key's comment, else its fingerprint
	Serial     uint64   // 0: random
}

// Certificate signs the user certificate for g with the CA key c.CAFile:
// its force-command is g.Command, quoted for the login shell as in
// command=, with source-address from g.From, valid until g.Expires
// (required) and no permit-* extensions (see policy.SignUserCert).
// prompter asks for the CA key's passphrase; nil means there is nobody to
// ask.
func (g Grant) Certificate(c Cert, prompter Prompter) (*ssh.Certificate, error) {
	argv, err := g.Command()
	if err != nil {
		return nil, err
	}
	pub, comment, err := parsePublicKey(g.Key)
	if err != nil {
		return nil, err
	}
	if g.Expires.IsZero() {
		return nil, errors.New("--ca needs --expires: a certificate that never expires can only be revoked on every host")
	}
	ca, err := LoadCAKey(c.CAFile, prompter)
	if err != nil {
		return nil, err
	}
	if string(ca.PublicKey().Marshal()) == string(pub.Marshal()) {
		return nil, errors.New("--key is the CA's own key: certify the user's key")
	}
	id := c.KeyID
	for _, alt := range []string{g.Comment, comment, ssh.FingerprintSHA256(pub)} {
		if id == "" {
			id = alt
		}
	}
	principals := c.Principals
	if len(principals) == 0 {
		principals = []string{DefaultPrincipal}
	}
	cert, err := policy.SignUserCert(ca, policy.UserCert{
		Key: pub, KeyID: id, Serial: c.Serial, Principals: principals, ValidBefore: g.Expires,
		ForceCommand: policy.ShellJoin(argv), SourceAddress: g.From,
	})
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	return cert, nil
}

// CertificatePath is where ssh looks for the certificate of the key whose
// public half is keyFile: KEY-cert.pub beside KEY.pub.
func CertificatePath(keyFile string) string {
	return strings.TrimSuffix(keyFile, ".pub") + "-cert.pub"
}

// WriteCertificate writes cert in authorized_keys format to path, mode
// 0644, by way of a temporary file renamed over it, so that a failure
// leaves any earlier certificate whole.
func WriteCertificate(path string, cert *ssh.Certificate) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing the certificate: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(ssh.MarshalAuthorizedKey(cert))
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing the certificate: %w", err)
	}
	return nil
}

// Describe is the line saying what certificate was written to path.
func Describe(path string, cert *ssh.Certificate) string {
	return fmt.Sprintf("wrote %s: key ID %q, serial %d, principals %s, valid until %s",
		path, cert.KeyId, cert.Serial, strings.Join(cert.ValidPrincipals, ","),
		time.Unix(int64(cert.ValidBefore), 0).UTC().Format(time.RFC3339))
}
