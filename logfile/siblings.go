package logfile

import (
	"cmp"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// RotatedSiblings returns a Source.Siblings function for the rotated
// siblings of path as logrotate names them, newest first: the numbered ones
// (path.1, path.2.gz, …, by increasing number), then the dated ones of
// dateext (path-20240131, path-2024013112.gz, …, by decreasing date). Where
// both path.N and path.N.gz exist (gzip is compressing it), path.N comes
// first and Follow reads it rather than path.N.gz. Other names and other
// compressions are not siblings.
func RotatedSiblings(path string) func() ([]string, error) {
	return func() ([]string, error) {
		dir, base := filepath.Split(filepath.Clean(path))
		if dir == "" {
			dir = "."
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("logfile: list siblings of %s: %w", path, err)
		}
		type rotated struct {
			name   string
			dated  bool
			number string // the digits: a count, or a date
			gz     bool
		}
		var found []rotated
		for _, e := range entries {
			name := e.Name()
			if len(name) <= len(base)+1 || !strings.HasPrefix(name, base) {
				continue
			}
			r := rotated{name: name, dated: name[len(base)] == '-'}
			if !r.dated && name[len(base)] != '.' {
				continue
			}
			r.number, r.gz = strings.CutSuffix(name[len(base)+1:], ".gz")
			if !allDigits(r.number) || len(r.number) > 18 {
				continue
			}
			found = append(found, r)
		}
		slices.SortFunc(found, func(a, b rotated) int {
			if a.dated != b.dated {
				if a.dated {
					return 1
				}
				return -1
			}
			an, _ := strconv.ParseInt(a.number, 10, 64)
			bn, _ := strconv.ParseInt(b.number, 10, 64)
			c := cmp.Compare(an, bn)
			if a.dated {
				c = -c
			}
			if c == 0 && a.gz != b.gz { // plain first
				if a.gz {
					return 1
				}
				return -1
			}
			return c
		})
		paths := make([]string, len(found))
		for i, r := range found {
			paths[i] = filepath.Join(dir, r.name)
		}
		return paths, nil
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// errShort is returned by sibling.reader when the content ends before the
// requested offset.
var errShort = errors.New("content ends before the offset")

// sibling is one rotated sibling, opened through Source.Open.
type sibling struct {
	path   string
	f      *os.File
	gz     bool
	st     fileStat // of the file itself (the compressed file for .gz)
	id     Identity // for .gz: content identity of the decompressed bytes
	prefix []byte   // first FingerprintSize bytes of the (decompressed) content
}

// snapshotTries bounds how often openSiblings lists again because a
// rotation was renaming files while it looked.
const snapshotTries = 10

// openSiblings lists src's siblings, newest first, and opens each through
// src.Open. A sibling that vanished, that src.Open refuses, or that cannot
// be fingerprinted (a corrupt .gz) is left out: it cannot be read anyway; so
// is path.gz when path was opened (gzip has not removed path yet). A failure
// to list them is an error.
//
// The listing is taken again, and every opened path and the live path
// lstat-ed again, until nothing moved meanwhile (a rotation going on while
// listing could otherwise hide a file). live is what the live path named
// then; liveOK is false when nothing was there.
func openSiblings(src Source) (sibs []*sibling, live fileStat, liveOK bool, err error) {
	for try := 1; ; try++ {
		before, berr := lstat(src.Path)
		var paths []string
		if src.Siblings != nil {
			if paths, err = src.Siblings(); err != nil {
				return nil, fileStat{}, false, fmt.Errorf("logfile: siblings of %s: %w", src.Path, err)
			}
		}
		sibs = sibs[:0]
		for _, p := range paths {
			if n := len(sibs); n > 0 && p == sibs[n-1].path+".gz" {
				continue
			}
			if s := openSibling(src, p); s != nil {
				sibs = append(sibs, s)
			}
		}
		if try == snapshotTries || stable(src, paths, sibs, before, berr) {
			return sibs, before, berr == nil, nil
		}
		closeSiblings(sibs)
	}
}

// stable reports whether the siblings and the live path are still what
// openSiblings found.
func stable(src Source, paths []string, sibs []*sibling, live fileStat, liveErr error) bool {
	for _, s := range sibs {
		if st, err := lstat(s.path); err != nil || st.dev != s.st.dev || st.ino != s.st.ino {
			return false
		}
	}
	if src.Siblings != nil {
		again, err := src.Siblings()
		if err != nil || !slices.Equal(paths, again) {
			return false
		}
	}
	st, err := lstat(src.Path)
	if (err == nil) != (liveErr == nil) {
		return false
	}
	return err != nil || st.dev == live.dev && st.ino == live.ino
}

func openSibling(src Source, path string) *sibling {
	f, err := src.Open(path)
	if err != nil {
		return nil
	}
	s := &sibling{path: path, f: f, gz: strings.HasSuffix(path, ".gz")}
	if !s.gz {
		s.id, s.prefix, s.st, err = identify(f)
	} else if s.st, err = fstat(f); err == nil {
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(io.NewSectionReader(f, 0, s.st.size)); err == nil {
			buf := make([]byte, FingerprintSize)
			var n int
			n, err = io.ReadFull(zr, buf)
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = nil
			}
			s.prefix = buf[:n]
			s.id = contentIdentity(s.prefix)
		}
	}
	if err != nil {
		f.Close()
		return nil
	}
	return s
}

// holds reports whether s holds the content id identifies, with at least
// off bytes (checked here for plain files only; reader checks .gz).
// byInode also requires id's device and inode.
func (s *sibling) holds(id Identity, off int64, byInode bool) bool {
	if byInode && (s.gz || !id.sameInode(s.st)) {
		return false
	}
	if !byInode && id.FPLen == 0 {
		return false // an empty fingerprint matches any content
	}
	if !s.gz && s.st.size < off {
		return false
	}
	return id.matchesPrefix(s.prefix)
}

// reader returns s's (decompressed) content from offset off, or an error
// wrapping errShort when it ends before off.
func (s *sibling) reader(off int64) (io.Reader, error) {
	if !s.gz {
		if s.st.size < off {
			return nil, fmt.Errorf("logfile: %s: %w", s.path, errShort)
		}
		return io.NewSectionReader(s.f, off, math.MaxInt64-off), nil
	}
	zr, err := gzip.NewReader(io.NewSectionReader(s.f, 0, math.MaxInt64))
	if err != nil {
		return nil, fmt.Errorf("logfile: %s: %w", s.path, err)
	}
	if n, err := io.CopyN(io.Discard, zr, off); err != nil {
		if err == io.EOF && n < off {
			err = errShort
		}
		return nil, fmt.Errorf("logfile: %s: %w", s.path, err)
	}
	return zr, nil
}

// take removes s's file from the set so that closeSiblings leaves it open.
func (s *sibling) take() *os.File {
	f := s.f
	s.f = nil
	return f
}

func closeSiblings(sibs []*sibling) {
	for _, s := range sibs {
		if s.f != nil {
			s.f.Close()
		}
	}
}
