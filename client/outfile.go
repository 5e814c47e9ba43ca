package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Writing a fetched log to a local path (fetch -o) follows cp's rules
// for the destination, decided by what the path is now:
//
//   - nothing: the file is created, through a partial file beside it
//     renamed into place once verified; its directory must exist.
//   - a regular file: replaced the same way (atomically).
//   - a symbolic link: followed, like cp: the file it points at is
//     replaced (the link itself stays), or written into when it is a
//     device or FIFO. A dangling link is refused (GNU cp: "not writing
//     through dangling symlink"), so a link never silently turns into a
//     file of its own.
//   - a character device or a FIFO (/dev/null, a named pipe): written
//     straight into, with no partial file and so no resume; a write
//     error, e.g. ENOSPC from /dev/full, is the fetch's error.
//   - anything else (a directory, a block device, a socket): refused;
//     OutputPath turns a directory into DIR/LOG first.

// output is a resolved destination.
type output struct {
	path   string // the file to replace or create, links resolved
	direct bool   // a device or FIFO: written into, no partial file
}

// resolveOutput decides how to write to path (see the rules above).
func resolveOutput(path string) (output, error) {
	real, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(path)
			return output{}, fmt.Errorf("%s is a symbolic link to %s, which does not exist: not writing through it", path, target)
		}
		dir := filepath.Dir(path)
		st, derr := os.Stat(dir)
		switch {
		case errors.Is(derr, fs.ErrNotExist):
			return output{}, fmt.Errorf("%s: directory %s does not exist", path, dir)
		case derr != nil:
			return output{}, derr
		case !st.IsDir():
			return output{}, fmt.Errorf("%s: %s is not a directory", path, dir)
		}
		return output{path: path}, nil // created
	}
	if err != nil {
		return output{}, err
	}
	st, err := os.Stat(real)
	if err != nil {
		return output{}, err
	}
	switch m := st.Mode(); {
	case m.IsRegular():
		return output{path: real}, nil
	case m&fs.ModeCharDevice != 0, m&fs.ModeNamedPipe != 0:
		return output{path: real, direct: true}, nil
	case m.IsDir():
		return output{}, fmt.Errorf("%s is a directory", path)
	default:
		return output{}, fmt.Errorf("%s is not a regular file, character device or FIFO (%s): not writing to it", path, m.Type())
	}
}

// openDirect opens the device or FIFO at path for writing. Opening a
// FIFO waits for a reader; ctx ends the wait.
func openDirect(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
		go func() { // close it if the open ever returns
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// writeDirect writes what fill produces straight into the device or FIFO
// at path.
func writeDirect(ctx context.Context, path string, fill func(io.Writer) error) error {
	f, err := openDirect(ctx, path)
	if err != nil {
		return err
	}
	err = fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// OutputPath is the file fetch -o out writes the log name to for one
// host: out/name when out is a directory (or names one with a trailing
// slash, which must then exist), else out.
func OutputPath(out, name string) (string, error) {
	st, err := os.Stat(out)
	switch {
	case err == nil && st.IsDir():
		return filepath.Join(out, name), nil
	case strings.HasSuffix(out, "/") && errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s: no such directory", out)
	case strings.HasSuffix(out, "/") && err == nil:
		return "", fmt.Errorf("%s: not a directory", out)
	}
	return out, nil
}

// CheckOutput reports, before anything is dialled, why fetch -o could
// not write to path (a missing directory, a dangling link, a block
// device…); a directory is fine (OutputPath adds the log's name).
func CheckOutput(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil
	}
	if _, err := OutputPath(path, ""); err != nil {
		return err
	}
	_, err := resolveOutput(path)
	return err
}
