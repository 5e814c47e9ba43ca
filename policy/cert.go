package policy

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Critical options of OpenSSH user certificates (PROTOCOL.certkeys).
const (
	CertForceCommand  = "force-command"
	CertSourceAddress = "source-address"
)

// UserCert is what a user certificate made by SignUserCert grants: one
// forced command (weblog-server with its policy), for the principals,
// from the source addresses, until ValidBefore, and nothing else: it has
// no extensions, so no pty, no port, agent or X11 forwarding, no ~/.ssh/rc.
type UserCert struct {
	// Key is the user's public key; not a certificate.
	Key ssh.PublicKey
	// KeyID names the certificate in sshd's log and in weblog-server's
	// audit log (ssh-keygen -I). Required.
	KeyID string
	// Serial identifies the certificate, e.g. for revocation; 0 picks a
	// random one.
	Serial uint64
	// Principals are the account names (or AuthorizedPrincipalsFile
	// names) the certificate is valid for; at least one.
	Principals []string
	// ValidAfter is when the certificate starts to be valid; the zero
	// time means a minute before SignUserCert is called, to allow for
	// clocks a little apart.
	ValidAfter time.Time
	// ValidBefore is when it stops being valid. Required: a certificate
	// that never expires can only be revoked with a KRL on every host.
	ValidBefore time.Time
	// ForceCommand is the command line sshd runs instead of anything the
	// client asks for (through the user's login shell, like command=).
	// Required.
	ForceCommand string
	// SourceAddress lists the CIDRs and addresses the certificate is
	// accepted from; each item may be a comma-separated list. None: from
	// anywhere.
	SourceAddress []string
}

// SignUserCert checks c and returns the user certificate it describes,
// signed by ca.
func SignUserCert(ca ssh.Signer, c UserCert) (*ssh.Certificate, error) {
	if ca == nil {
		return nil, errors.New("certificate: no CA key")
	}
	if c.Key == nil {
		return nil, errors.New("certificate: no public key")
	}
	if _, ok := c.Key.(*ssh.Certificate); ok {
		return nil, errors.New("certificate: the key is a certificate; give the plain public key")
	}
	if err := CheckText("certificate key ID", c.KeyID); err != nil || c.KeyID == "" {
		if err == nil {
			err = errors.New("certificate: no key ID")
		}
		return nil, err
	}
	if len(c.Principals) == 0 {
		return nil, errors.New("certificate: no principal (sshd refuses a certificate without one)")
	}
	for _, p := range c.Principals {
		if p == "" || strings.ContainsAny(p, ", \t") {
			return nil, fmt.Errorf("certificate: principal %q: want one account name, without spaces or commas", p)
		}
		if err := CheckText("certificate principal", p); err != nil {
			return nil, err
		}
	}
	if c.ForceCommand == "" {
		return nil, errors.New("certificate: no forced command")
	}
	if err := CheckText("certificate forced command", c.ForceCommand); err != nil {
		return nil, err
	}
	after := c.ValidAfter
	if after.IsZero() {
		after = time.Now().Add(-time.Minute)
	}
	if c.ValidBefore.IsZero() {
		return nil, errors.New("certificate: no expiry: give when it stops being valid")
	}
	if !c.ValidBefore.After(after) {
		return nil, fmt.Errorf("certificate: valid before %s is not after valid after %s", c.ValidBefore.UTC().Format(time.RFC3339), after.UTC().Format(time.RFC3339))
	}
	if after.Unix() < 0 {
		return nil, errors.New("certificate: valid after is before 1970")
	}
	opts := map[string]string{CertForceCommand: c.ForceCommand}
	if len(c.SourceAddress) > 0 {
		src, err := SourceAddresses(c.SourceAddress)
		if err != nil {
			return nil, err
		}
		opts[CertSourceAddress] = src
	}
	serial := c.Serial
	for serial == 0 {
		var b [8]byte
		rand.Read(b[:])
		serial = binary.BigEndian.Uint64(b[:]) >> 1 // positive as an int64, for tools that print it signed
	}
	cert := &ssh.Certificate{
		Key:             c.Key,
		Serial:          serial,
		CertType:        ssh.UserCert,
		KeyId:           c.KeyID,
		ValidPrincipals: append([]string(nil), c.Principals...),
		ValidAfter:      uint64(after.Unix()),
		ValidBefore:     uint64(c.ValidBefore.Unix()),
		Permissions: ssh.Permissions{
			CriticalOptions: opts,
			Extensions:      map[string]string{},
		},
	}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		return nil, fmt.Errorf("certificate: signing: %w", err)
	}
	return cert, nil
}

// SourceAddresses checks and joins the items of values (each may be a
// comma-separated list) for a certificate's source-address option: CIDRs
// with the host bits zero, or addresses. Unlike from=, host names and !
// are not allowed there.
func SourceAddresses(values []string) (string, error) {
	var items []string
	for _, v := range values {
		for _, it := range strings.Split(v, ",") {
			if strings.Contains(it, "/") {
				p, err := netip.ParsePrefix(it)
				if err != nil {
					return "", fmt.Errorf("source address %q: %q is not a CIDR address/length", v, it)
				}
				if p != p.Masked() {
					return "", fmt.Errorf("source address %q: %s has host bits set; sshd refuses it (did you mean %s?)", v, it, p.Masked())
				}
			} else if _, err := netip.ParseAddr(it); err != nil || strings.Contains(it, "%") {
				return "", fmt.Errorf("source address %q: %q is not an address or CIDR (a certificate takes no host names or !)", v, it)
			}
			items = append(items, it)
		}
	}
	return strings.Join(items, ","), nil
}
