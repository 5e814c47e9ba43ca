package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/sshdial"
)

// defaultPrincipal is the principal authorize --ca certifies when none is
// given: the README's AuthorizedPrincipalsFile lists it for the account
// that runs weblog-server.
const defaultPrincipal = "weblog"

// certificateRequest is what authorize --ca certifies.
type certificateRequest struct {
	CAFile     string    // the CA's private key (OpenSSH format)
	Key        []byte    // the user's public key (KEY.pub)
	Command    []string  // the forced command's argv: weblog-server and its policy
	From       []string  // source addresses; each item may be a comma-separated list
	Principals []string  // none: defaultPrincipal
	KeyID      string    // "": the key's comment, else its fingerprint
	Serial     uint64    // 0: random
	Expires    time.Time // required
}

// signCertificate makes the certificate r describes: a user certificate
// whose force-command is r.Command, quoted for the login shell as in
// command=, with source-address from r.From and no permit-* extensions
// (see policy.SignUserCert). prompter asks for the CA key's passphrase;
// nil means there is nobody to ask.
func signCertificate(r certificateRequest, prompter sshdial.Prompter) (*ssh.Certificate, error) {
	pub, comment, err := parsePublicKey(r.Key)
	if err != nil {
		return nil, err
	}
	if r.Expires.IsZero() {
		return nil, errors.New("--ca needs --expires: a certificate that never expires can only be revoked on every host")
	}
	ca, err := loadCAKey(r.CAFile, prompter)
	if err != nil {
		return nil, err
	}
	if string(ca.PublicKey().Marshal()) == string(pub.Marshal()) {
		return nil, errors.New("--key is the CA's own key: certify the user's key")
	}
	id := r.KeyID
	if id == "" {
		id = comment
	}
	if id == "" {
		id = ssh.FingerprintSHA256(pub)
	}
	principals := r.Principals
	if len(principals) == 0 {
		principals = []string{defaultPrincipal}
	}
	cert, err := policy.SignUserCert(ca, policy.UserCert{
		Key: pub, KeyID: id, Serial: r.Serial, Principals: principals, ValidBefore: r.Expires,
		ForceCommand: policy.ShellJoin(r.Command), SourceAddress: r.From,
	})
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	return cert, nil
}

// loadCAKey reads the CA's private key, asking prompter for its
// passphrase when it has one.
func loadCAKey(path string, prompter sshdial.Prompter) (ssh.Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("--ca: reading %s: %w", path, err)
	}
	signer, err := ssh.ParsePrivateKey(data)
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		if prompter == nil {
			return nil, fmt.Errorf("--ca %s: the key has a passphrase and there is no terminal to ask for it", path)
		}
		pass, perr := prompter.Password(fmt.Sprintf("Enter passphrase for CA key %s: ", path))
		if perr != nil {
			return nil, fmt.Errorf("--ca %s: %w", path, perr)
		}
		if signer, err = ssh.ParsePrivateKeyWithPassphrase(data, []byte(pass)); err != nil {
			return nil, fmt.Errorf("--ca %s: %w", path, err)
		}
	case err != nil:
		if _, _, _, _, perr := ssh.ParseAuthorizedKey(data); perr == nil {
			return nil, fmt.Errorf("--ca %s: a public key; give the CA's private key (the one without .pub)", path)
		}
		return nil, fmt.Errorf("--ca %s: not a private key in OpenSSH format: %w", path, err)
	}
	return signer, nil
}

// certificatePath is where ssh looks for the certificate of the key whose
// public half is keyFile: KEY-cert.pub beside KEY.pub.
func certificatePath(keyFile string) string {
	return strings.TrimSuffix(keyFile, ".pub") + "-cert.pub"
}

// writeCertificate writes cert in authorized_keys format to path, by way
// of a temporary file renamed over it, so that a failure leaves any
// earlier certificate whole.
func writeCertificate(path string, cert *ssh.Certificate) error {
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

// describeCertificate is the line authorize --ca prints about what it
// wrote.
func describeCertificate(path string, cert *ssh.Certificate) string {
	return fmt.Sprintf("wrote %s: key ID %q, serial %d, principals %s, valid until %s",
		path, cert.KeyId, cert.Serial, strings.Join(cert.ValidPrincipals, ","),
		time.Unix(int64(cert.ValidBefore), 0).UTC().Format(time.RFC3339))
}

// authorizeCertificate is authorize --ca: it signs the certificate for a
// and writes it beside the key, or to stdout for --key -.
func authorizeCertificate(c *cli.Context, a authorization) error {
	if c.IsSet("comment") && c.IsSet("key-id") {
		return usageError{errors.New("authorize: --comment and --key-id: a certificate has no comment; give --key-id")}
	}
	argv, err := serverCommand(a)
	if err != nil {
		return usageError{fmt.Errorf("authorize: %w", err)}
	}
	var prompter sshdial.Prompter
	if p, err := sshdial.TTYPrompter(); err == nil {
		prompter = p
	}
	id := c.String("key-id")
	if id == "" {
		id = a.Comment
	}
	cert, err := signCertificate(certificateRequest{
		CAFile: c.String("ca"), Key: a.Key, Command: argv, From: a.From,
		Principals: c.Generic("principal").(*listValue).items, KeyID: id, Serial: c.Uint64("serial"), Expires: a.Expires,
	}, prompter)
	if err != nil {
		return usageError{fmt.Errorf("authorize: %w", err)}
	}
	keyFile := c.String("key")
	if keyFile == "-" {
		_, err := c.App.Writer.Write(ssh.MarshalAuthorizedKey(cert))
		return err
	}
	path := certificatePath(keyFile)
	if err := writeCertificate(path, cert); err != nil {
		return fmt.Errorf("authorize: %w", err)
	}
	_, err = fmt.Fprintln(c.App.Writer, describeCertificate(path, cert))
	return err
}
