package sshserver

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// maxConfigFile bounds the size of an authorized_keys or password file.
const maxConfigFile = 1 << 20

// watchedFile is a configuration file that is parsed again whenever it
// changes, so that, as with sshd, adding or removing a key takes effect
// for the next login without a restart. A file that cannot be read or
// parsed allows nothing until it is fixed.
type watchedFile[T any] struct {
	path  string
	what  string      // "authorized keys", for messages
	perm  os.FileMode // permission bits that must not be set
	parse func([]byte) (T, error)

	mu    sync.Mutex
	info  os.FileInfo // of the version parsed; nil before the first
	value T
}

// get returns the file's parsed content, parsing it again if the file
// changed (another inode, size or modification time) since last time.
func (w *watchedFile[T]) get() (T, error) {
	var zero T
	w.mu.Lock()
	defer w.mu.Unlock()
	f, err := os.Open(w.path)
	if err != nil {
		w.info = nil
		return zero, fmt.Errorf("%s: %w", w.what, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		w.info = nil
		return zero, fmt.Errorf("%s: %w", w.what, err)
	}
	if w.info != nil && os.SameFile(w.info, st) && st.Size() == w.info.Size() && st.ModTime().Equal(w.info.ModTime()) {
		return w.value, nil
	}
	w.info = nil
	if !st.Mode().IsRegular() {
		return zero, fmt.Errorf("%s %s: not a regular file", w.what, w.path)
	}
	if bad := st.Mode().Perm() & w.perm; bad != 0 {
		return zero, fmt.Errorf("%s %s: bad permissions %04o: remove %04o (anyone who can change it can log in)", w.what, w.path, st.Mode().Perm(), bad)
	}
	data, err := readLimited(f, maxConfigFile)
	if err != nil {
		return zero, fmt.Errorf("%s %s: %w", w.what, w.path, err)
	}
	v, err := w.parse(data)
	if err != nil {
		return zero, fmt.Errorf("%s %s: %w", w.what, w.path, err)
	}
	// A file changed twice within the clock's resolution would look
	// unchanged; parse such a fresh file again next time.
	if time.Since(st.ModTime()) > 2*time.Second {
		w.info = st
	}
	w.value = v
	return v, nil
}

// readLimited reads all of r, refusing more than max bytes.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}
