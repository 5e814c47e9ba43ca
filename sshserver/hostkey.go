package sshserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

// maxKeyFile bounds the size of a host key file we read.
const maxKeyFile = 64 << 10

// loadOrCreateHostKey returns the ed25519 host key in path, first creating
// it when the file does not exist. It reports whether it created it.
func loadOrCreateHostKey(path string) (ssh.Signer, bool, error) {
	if path == "" {
		return nil, false, errors.New("no host key file given")
	}
	s, err := loadHostKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return s, false, err
	}
	s, err = createHostKey(path)
	if errors.Is(err, fs.ErrExist) {
		// Someone else created it first: use theirs.
		s, err = loadHostKey(path)
		return s, false, err
	}
	return s, err == nil, err
}

// loadHostKey reads an unencrypted ed25519 private key in OpenSSH format.
// Like sshd, it refuses a file that group or others may read or write.
func loadHostKey(path string) (ssh.Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("host key %s: not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("host key %s: permissions %04o are too open: it must be readable by its owner only (chmod 600)", path, perm)
	}
	data, err := readLimited(f, maxKeyFile)
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	s, err := ssh.ParsePrivateKey(data)
	if err != nil {
		var pp *ssh.PassphraseMissingError
		if errors.As(err, &pp) {
			return nil, fmt.Errorf("host key %s: encrypted with a passphrase; a host key must not be", path)
		}
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	if t := s.PublicKey().Type(); t != ssh.KeyAlgoED25519 {
		return nil, fmt.Errorf("host key %s: a %s key; only ssh-ed25519 host keys are used", path, t)
	}
	return s, nil
}

// createHostKey generates an ed25519 key and writes it to path (mode
// 0600), never replacing an existing file: the key is written to a
// temporary file in the same directory and linked into place, so path
// holds either nothing or the whole key.
func createHostKey(path string) (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "weblog-server host key")
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("create host key: %w", err)
	}
	if _, err := tmp.Write(pem.EncodeToMemory(block)); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("create host key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("create host key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("create host key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		// No hard links here (some network and FUSE file systems):
		// create the file exclusively instead.
		if err := writeExclusive(path, pem.EncodeToMemory(block)); err != nil {
			return nil, fmt.Errorf("create host key: %w", err)
		}
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	return s, nil
}

// writeExclusive creates path with mode 0600, failing if it exists, and
// writes data to it; on failure it removes what it created.
func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
