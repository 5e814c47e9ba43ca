package audit

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// maxUserAuth bounds how much of an SSH_USER_AUTH file is read.
const maxUserAuth = 64 << 10

// FromEnv returns an Entry with what sshd tells about the session filled
// in: Key from the file SSH_USER_AUTH names (see KeyFromUserAuth) and
// Client from SSH_CONNECTION (see ClientFromSSHConnection). getenv is
// os.Getenv or a stand-in for tests.
func FromEnv(getenv func(string) string) Entry {
	e := Entry{Client: ClientFromSSHConnection(getenv("SSH_CONNECTION"))}
	if p := getenv("SSH_USER_AUTH"); p != "" {
		e.Key = KeyFromUserAuth(p)
	}
	return e
}

// KeyFromUserAuth returns the SHA256 fingerprint (as ssh-keygen -l prints
// it, "SHA256:…") of the public key the client authenticated with, read
// from the file that sshd names in SSH_USER_AUTH when sshd_config has
// ExposeAuthInfo yes. Its lines look like "publickey ssh-ed25519 AAAA…";
// for a certificate, the fingerprint is of the certified key. When the
// session used several public keys (AuthenticationMethods
// publickey,publickey), their fingerprints are joined with ",". It
// returns "" when the file cannot be read or names no public key.
func KeyFromUserAuth(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUserAuth))
	if err != nil {
		return ""
	}
	return keysFromUserAuth(data)
}

// keysFromUserAuth parses the contents of an SSH_USER_AUTH file.
func keysFromUserAuth(data []byte) string {
	var fps []string
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
		if cert, ok := key.(*ssh.Certificate); ok {
			key = cert.Key
		}
		fps = append(fps, ssh.FingerprintSHA256(key))
	}
	return strings.Join(fps, ",")
}

// ClientFromSSHConnection returns the client's address and port,
// "203.0.113.7:52144" or "[2001:db8::1]:52144", from the value of
// SSH_CONNECTION ("CLIENT-IP CLIENT-PORT SERVER-IP SERVER-PORT"), or ""
// if it is not of that form.
func ClientFromSSHConnection(v string) string {
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
