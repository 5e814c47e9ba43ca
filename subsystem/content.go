package subsystem

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/weblogctl/weblogctl/wire"
)

// content is the bytes of one file of a log: the live file, or with
// --rotated=N the Nth newest rotated sibling, read through gzip when it is
// compressed.
type content struct {
	f    *os.File
	id   string
	size int64  // -1 when unknown (compressed)
	name string // base name, for the O frame
	gz   bool
}

// openContent opens the file of log name that req selects.
func openContent(ss *session, req wire.Request) (*content, error) {
	l, err := ss.policy.Lookup(req.Log)
	if err != nil {
		return nil, unavailable(req.Log)
	}
	path := l.Path
	if req.Rotated > 0 {
		sibs, err := l.Siblings()
		if err != nil || req.Rotated > len(sibs) {
			return nil, wire.Errorf(wire.StatusUnavailable, fmt.Sprintf("log %s: no rotated file %d", req.Log, req.Rotated))
		}
		path = sibs[req.Rotated-1]
	}
	f, err := l.OpenRelated(path)
	if err != nil {
		return nil, unavailable(req.Log)
	}
	c := &content{f: f, name: filepath.Base(path), gz: strings.HasSuffix(path, ".gz"), size: -1}
	if c.id, err = identityOf(f); err != nil {
		f.Close()
		return nil, readError(req.Log)
	}
	if !c.gz {
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, readError(req.Log)
		}
		c.size = st.Size()
	}
	return c, nil
}

// section returns a reader of the bytes [start, end) of the content; end
// -1 means to its end.
func (c *content) section(start, end int64) (io.Reader, error) {
	if !c.gz {
		if end < 0 {
			end = c.size
		}
		return io.NewSectionReader(c.f, start, end-start), nil
	}
	// Each reader has its own position: the file's offset is not shared.
	zr, err := gzip.NewReader(io.NewSectionReader(c.f, 0, 1<<62))
	if err != nil {
		return nil, err
	}
	if _, err := io.CopyN(io.Discard, zr, start); err != nil && err != io.EOF {
		return nil, err
	}
	if end < 0 {
		return zr, nil
	}
	return io.LimitReader(zr, end-start), nil
}

// close closes the file.
func (c *content) close() { c.f.Close() }

// prefixSum returns the hex SHA-256 of the content's first n bytes.
func (c *content) prefixSum(n int64) (string, error) {
	r, err := c.section(0, n)
	if err != nil {
		return "", err
	}
	s := newSummer()
	if _, err := io.Copy(s, r); err != nil {
		return "", err
	}
	return s.end().SHA256, nil
}
