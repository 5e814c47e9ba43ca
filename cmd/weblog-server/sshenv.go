package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/subsystem"
)

// maxUserAuth bounds how much of an SSH_USER_AUTH file is read.
const maxUserAuth = 64 << 10

// identityFromEnv returns what sshd tells about the session it started
// us for: the key from the file SSH_USER_AUTH names (see
// keyFromUserAuth) and the client from SSH_CONNECTION (see
// clientFromSSHConnection). getenv is os.Getenv or a stand-in for tests.
// These variables are set by sshd, not by the client (sshd refuses a
// client's SSH_* unless AcceptEnv names them, which nobody does).
func identityFromEnv(getenv func(string) string) subsystem.Identity {
	id := subsystem.Identity{Client: clientFromSSHConnection(getenv("SSH_CONNECTION"))}
	if p := getenv("SSH_USER_AUTH"); p != "" {
		id.Key, id.Cert, id.Until = keyFromUserAuth(p)
	}
	return id
}

// keyFromUserAuth returns the SHA256 fingerprint (as ssh-keygen -l prints
// it, "SHA256:…") of the public key the client authenticated with, read
// from the file that sshd names in SSH_USER_AUTH when sshd_config has
// ExposeAuthInfo yes. Its lines look like "publickey ssh-ed25519 AAAA…";
// for a certificate, the fingerprint is of the certified key, and the
// certificate's key ID and serial are returned too, and its end of
// validity (the zero Time for none). When the session used
// several public keys (AuthenticationMethods publickey,publickey), their
// fingerprints are joined with "," and the first certificate is returned.
// It returns "" when the file cannot be read or names no public key.
func keyFromUserAuth(path string) (string, *audit.Cert, time.Time) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, time.Time{}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUserAuth))
	if err != nil {
		return "", nil, time.Time{}
	}
	return keysFromUserAuth(data)
}

// keysFromUserAuth parses the contents of an SSH_USER_AUTH file.
func keysFromUserAuth(data []byte) (string, *audit.Cert, time.Time) {
	var fps []string
	var cert *audit.Cert
	var until time.Time
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxUserAuth)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || fields[0] != "publickey" {
			continue
		}
		blob, err := base64.StdEncoding.DecodeString(fields[2])
		if err != nil {
			continue
		}
		key, err := ssh.ParsePublicKey(blob)
		if err != nil || key.Type() != fields[1] {
			continue
		}
		if c, ok := key.(*ssh.Certificate); ok {
			key = c.Key
			if cert == nil {
				cert = &audit.Cert{ID: c.KeyId, Serial: c.Serial}
				if c.ValidBefore != ssh.CertTimeInfinity && c.ValidBefore <= math.MaxInt64 {
					until = time.Unix(int64(c.ValidBefore), 0)
				}
			}
		}
		fps = append(fps, ssh.FingerprintSHA256(key))
	}
	return strings.Join(fps, ","), cert, until
}

// clientFromSSHConnection returns the client's address and port,
// "203.0.113.7:52144" or "[2001:db8::1]:52144", from the value of
// SSH_CONNECTION ("CLIENT-IP CLIENT-PORT SERVER-IP SERVER-PORT"), or ""
// if it is not of that form.
func clientFromSSHConnection(v string) string {
	fields := strings.Fields(v)
	if len(fields) < 2 {
		return ""
	}
	addr, err := netip.ParseAddr(fields[0])
	if err != nil {
		return ""
	}
	port, err := strconv.ParseUint(fields[1], 10, 16)
	if err != nil {
		return ""
	}
	return netip.AddrPortFrom(addr, uint16(port)).String()
}
