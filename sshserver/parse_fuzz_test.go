package sshserver

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// FuzzParseAuthorizedKeys: no panic; an error yields no keys; every key
// accepted is of a type we accept and carries no option that would grant
// more than the server does (an unsupported option must be refused).
func FuzzParseAuthorizedKeys(f *testing.F) {
	f.Add([]byte("restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9gNeLIlWoC4tqZliEFvDZTcFskL0wr7r6vYLRw94z1 a@b\n"))
	f.Add([]byte("command=\"/bin/sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9gNeLIlWoC4tqZliEFvDZTcFskL0wr7r6vYLRw94z1\n# c\n"))
	f.Add([]byte("from=\"10.0.0.0/8\",no-pty ssh-rsa AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := parseAuthorizedKeys(data)
		if err != nil {
			if keys != nil {
				t.Fatalf("error %v with %d keys", err, len(keys))
			}
			return
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			line = bytes.TrimSpace(line)
			if len(line) == 0 || line[0] == '#' {
				continue
			}
			_, _, options, _, err := ssh.ParseAuthorizedKey(line)
			if err != nil {
				t.Fatalf("accepted a line x/crypto cannot parse: %q", line)
			}
			for _, o := range options {
				if !strings.Contains(supportedKeyOptions, strings.ToLower(o)) || strings.Contains(o, "=") {
					t.Fatalf("accepted option %q in %q", o, line)
				}
			}
		}
	})
}

// FuzzParsePasswords: no panic; an error yields nothing; every user name
// accepted is printable without spaces, every hash a bcrypt hash.
func FuzzParsePasswords(f *testing.F) {
	f.Add([]byte("alice:$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\n"))
	f.Add([]byte("bob:plain\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		users, err := parsePasswords(data)
		if err != nil {
			if users != nil {
				t.Fatalf("error %v with %d users", err, len(users))
			}
			return
		}
		for u, h := range users {
			if u == "" || strings.ContainsAny(u, " \\t\\n:") || !bytes.HasPrefix(h, []byte("$2")) {
				t.Fatalf("accepted user %q with hash %q", u, h)
			}
		}
	})
}

// FuzzParseCAKeys: no panic; an error yields no keys; an accepted file
// has at least one key, each of a type we accept, none a certificate,
// and as many keys as it has key lines.
func FuzzParseCAKeys(f *testing.F) {
	f.Add([]byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9gNeLIlWoC4tqZliEFvDZTcFskL0wr7r6vYLRw94z1 ca\n"))
	f.Add([]byte("# CA\n\ncert-authority ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9gNeLIlWoC4tqZliEFvDZTcFskL0wr7r6vYLRw94z1\n"))
	f.Add([]byte("ssh-dss AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := parseCAKeys(data)
		if err != nil {
			if keys != nil {
				t.Fatalf("error %v with %d keys", err, len(keys))
			}
			return
		}
		n := 0
		for _, line := range bytes.Split(data, []byte("\n")) {
			if line = bytes.TrimSpace(line); len(line) > 0 && line[0] != '#' {
				n++
			}
		}
		if len(keys) == 0 || len(keys) != n {
			t.Fatalf("%d keys from %d key lines", len(keys), n)
		}
		for _, blob := range keys {
			k, err := ssh.ParsePublicKey(blob)
			if err != nil {
				t.Fatalf("accepted key does not parse: %v", err)
			}
			if _, ok := k.(*ssh.Certificate); ok || checkKeyType(k) != nil {
				t.Fatalf("accepted %s as a CA key", k.Type())
			}
		}
	})
}
