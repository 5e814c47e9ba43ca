package authorize

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/crypto/ssh"
)

// Prompter asks the user for a passphrase; sshdial.Prompter is one.
type Prompter interface {
	// Password shows prompt and reads one line without echoing it.
	Password(prompt string) (string, error)
}

// LoadCAKey reads the CA's private key at path, asking prompter for its
// passphrase when it has one (nil: there is nobody to ask, an error).
func LoadCAKey(path string, prompter Prompter) (ssh.Signer, error) {
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
