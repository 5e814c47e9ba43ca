package logfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// FingerprintSize is the number of leading bytes of a file that an Identity
// fingerprints. 1 KiB holds several access-log lines, each starting with a
// client address and a timestamp, so two different log files practically
// never share it (Filebeat's fingerprint file identity uses the same 1024
// bytes). A file shorter than this is fingerprinted over what it has, and the
// follower strengthens the identity as the file grows (see Event.ID).
const FingerprintSize = 1024

// Identity identifies one log file across renames: the device and inode it
// lives on, plus a SHA-256 fingerprint of its first FPLen bytes, because
// inode numbers are reused once a file is deleted and because copytruncate
// keeps the inode while replacing the content.
//
// The identity of a compressed sibling (name ending in ".gz") has Dev and Ino
// zero and fingerprints the first bytes of the decompressed content, so it
// matches the file it was compressed from by content alone.
type Identity struct {
	Dev, Ino uint64
	// FPLen is the number of leading bytes fingerprinted:
	// min(size, FingerprintSize) when the identity was taken, 0 for an empty file.
	FPLen int
	// FP is the SHA-256 of the first FPLen bytes.
	FP [32]byte
}

// IdentityOf returns the identity of the open file f: fstat for device and
// inode, and a fingerprint of the first bytes read with ReadAt, so f's
// offset does not move.
func IdentityOf(f *os.File) (Identity, error) {
	id, _, _, err := identify(f)
	return id, err
}

// identify is IdentityOf that also returns the fingerprinted prefix and the
// stat it used.
func identify(f *os.File) (Identity, []byte, fileStat, error) {
	st, err := fstat(f)
	if err != nil {
		return Identity{}, nil, st, err
	}
	buf := make([]byte, FingerprintSize)
	n, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return Identity{}, nil, st, fmt.Errorf("logfile: fingerprint %s: %w", f.Name(), err)
	}
	id := contentIdentity(buf[:n])
	id.Dev, id.Ino = st.dev, st.ino
	return id, buf[:n], st, nil
}

// contentIdentity is the identity of content whose first bytes are prefix,
// with no device or inode.
func contentIdentity(prefix []byte) Identity {
	if len(prefix) > FingerprintSize {
		prefix = prefix[:FingerprintSize]
	}
	return Identity{FPLen: len(prefix), FP: sha256.Sum256(prefix)}
}

// matchesPrefix reports whether content starting with prefix (up to
// FingerprintSize bytes of it) has id's fingerprint.
func (id Identity) matchesPrefix(prefix []byte) bool {
	if id.FPLen < 0 || id.FPLen > len(prefix) {
		return false
	}
	return sha256.Sum256(prefix[:id.FPLen]) == id.FP
}

// sameInode reports whether id names the inode described by st.
func (id Identity) sameInode(st fileStat) bool {
	return id.Dev == st.dev && id.Ino == st.ino
}

// Same reports whether f is the file id identifies: the same device and
// inode, and its first FPLen bytes still have id's fingerprint (so a reused
// inode, or a file truncated and rewritten in place, is not the same).
func (id Identity) Same(f *os.File) (bool, error) {
	st, err := fstat(f)
	if err != nil {
		return false, err
	}
	if !id.sameInode(st) {
		return false, nil
	}
	return id.SameContent(f)
}

// SameContent reports whether the first FPLen bytes of f have id's
// fingerprint, whatever its device and inode: true for a copy of the file
// id identifies.
func (id Identity) SameContent(f *os.File) (bool, error) {
	if id.FPLen < 0 || id.FPLen > FingerprintSize {
		return false, nil
	}
	buf := make([]byte, id.FPLen)
	n, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("logfile: fingerprint %s: %w", f.Name(), err)
	}
	return id.matchesPrefix(buf[:n]), nil
}

// String returns id as a compact token without spaces, for the wire:
// "DEV:INO:FPLEN:FP" with decimal numbers and FP as 64 lowercase hex digits.
// ParseIdentity reverses it.
func (id Identity) String() string {
	return fmt.Sprintf("%d:%d:%d:%x", id.Dev, id.Ino, id.FPLen, id.FP[:])
}

// errBadIdentity is wrapped by every ParseIdentity error.
var errBadIdentity = errors.New("malformed file identity")

// ParseIdentity parses the form that Identity.String returns. Only the
// canonical form is accepted (no leading zeros, no signs, lowercase hex), so
// an accepted token always equals the String of its result.
func ParseIdentity(s string) (Identity, error) {
	fields := strings.Split(s, ":")
	if len(fields) != 4 {
		return Identity{}, fmt.Errorf("logfile: %w %q: want DEV:INO:FPLEN:FP", errBadIdentity, s)
	}
	var id Identity
	var err error
	if id.Dev, err = strconv.ParseUint(fields[0], 10, 64); err != nil {
		return Identity{}, fmt.Errorf("logfile: %w %q: bad device", errBadIdentity, s)
	}
	if id.Ino, err = strconv.ParseUint(fields[1], 10, 64); err != nil {
		return Identity{}, fmt.Errorf("logfile: %w %q: bad inode", errBadIdentity, s)
	}
	n, err := strconv.ParseUint(fields[2], 10, 16)
	if err != nil || n > FingerprintSize {
		return Identity{}, fmt.Errorf("logfile: %w %q: fingerprint length not in 0..%d", errBadIdentity, s, FingerprintSize)
	}
	id.FPLen = int(n)
	if len(fields[3]) != 2*len(id.FP) {
		return Identity{}, fmt.Errorf("logfile: %w %q: fingerprint is not %d hex digits", errBadIdentity, s, 2*len(id.FP))
	}
	if _, err := hex.Decode(id.FP[:], []byte(fields[3])); err != nil {
		return Identity{}, fmt.Errorf("logfile: %w %q: fingerprint is not hex", errBadIdentity, s)
	}
	if id.String() != s {
		return Identity{}, fmt.Errorf("logfile: %w %q: not in canonical form", errBadIdentity, s)
	}
	return id, nil
}
