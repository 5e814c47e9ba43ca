package main

import (
	"crypto/rand"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// TestUserAuthCertificateUntil: the end of validity of the certificate
// in SSH_USER_AUTH becomes the session's Until; a certificate valid
// forever and a plain key give none.
func TestUserAuthCertificateUntil(t *testing.T) {
	k, _ := newKey(t)
	_, ca := newKey(t)
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	cert := &ssh.Certificate{Key: k, CertType: ssh.UserCert, KeyId: "ann", Serial: 7, ValidPrincipals: []string{"ann"}, ValidBefore: uint64(until.Unix())}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	if _, c, got := keysFromUserAuth([]byte(authLine(cert))); !got.Equal(until) || c == nil || c.Serial != 7 {
		t.Errorf("until %v, cert %+v; want %v", got, c, until)
	}
	cert.ValidBefore = ssh.CertTimeInfinity
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	if _, _, got := keysFromUserAuth([]byte(authLine(cert))); !got.IsZero() {
		t.Errorf("forever: until %v", got)
	}
	if _, _, got := keysFromUserAuth([]byte(authLine(k))); !got.IsZero() {
		t.Errorf("plain key: until %v", got)
	}
}
