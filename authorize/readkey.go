package authorize

import (
	"fmt"
	"io"
	"os"
)

// ReadKey reads the public key file name, or stdin for "-" (os.Stdin
// when stdin is nil), up to 64 KiB.
func ReadKey(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("authorize: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("authorize: reading %s: %w", name, err)
	}
	return data, nil
}
