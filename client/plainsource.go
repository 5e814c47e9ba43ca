package client

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/wire"
)

// plainSource reads the file at path through a shell account (plain
// mode); it filters here, since no server does.
type plainSource struct {
	dial   DialFunc
	path   string
	format accesslog.Format
}

// errPlainList is List in plain mode, which has no policy to list.
var errPlainList = errors.New("plain mode has no list of logs (--path names the file)")

func (s *plainSource) List(context.Context) (wire.Listing, error) {
	return wire.Listing{}, errPlainList
}

func (s *plainSource) Lines(ctx context.Context, req Request, emit func([]byte) error) error {
	keep, err := PlainFilter(req.Filter, s.format, time.Now())
	if err != nil {
		return err
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if keep != nil {
		next := emit
		emit = func(line []byte) error {
			ok, stop := keep(line)
			if ok {
				if err := next(line); err != nil {
					return err
				}
			}
			if stop {
				return errStopPath
			}
			return nil
		}
	}
	err = PlainLines(ctx, conn, s.path, req.Follow, req.Lines, emit)
	if errors.Is(err, errStopPath) {
		return nil
	}
	return err
}

func (s *plainSource) Copy(ctx context.Context, _ Request, w io.Writer) error {
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return PlainCat(ctx, conn, s.path, w)
}

func (s *plainSource) CopyFile(ctx context.Context, _ Request, dest func(string) (string, error)) (string, error) {
	conn, err := s.dial(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	name := filepath.Base(s.path)
	if name == "/" || name == "." || name == ".." {
		name = "log"
	}
	file, err := dest(name)
	if err != nil {
		return "", err
	}
	return file, PlainFetchFile(ctx, conn, s.path, file)
}

// errStopPath ends a plain-mode read at the --until-path request.
var errStopPath = errors.New("--until-path request seen")

// PlainFilter compiles spec for plain mode, where lines are filtered here:
// keep reports whether a line matches and whether it is the --until-path
// request that ends the read (which is passed on when it matches). An
// empty spec returns a nil keep: every line is kept. A bad spec is an
// error before any connection is made.
func PlainFilter(spec accesslog.FilterSpec, format accesslog.Format, now time.Time) (keep func(line []byte) (ok, stop bool), err error) {
	if spec == (accesslog.FilterSpec{}) {
		return nil, nil
	}
	sel, err := accesslog.NewSelector(spec, format, now)
	if err != nil {
		return nil, err
	}
	return sel.Select, nil // the server's filter selects with the same Selector
}
