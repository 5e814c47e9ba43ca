package client

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/tally"
)

// errPlainHistory is Stats with History in plain mode, which reads one
// file.
var errPlainHistory = errors.New("--history needs weblog-server: plain mode (--path) reads one file")

// CheckStats reports whether a Source of cfg can answer Stats for req,
// before anything is dialled: plain mode reads the one file at Path, so
// it has no History.
func (cfg SourceConfig) CheckStats(req Request) error {
	if cfg.Path != "" && req.History {
		return errPlainHistory
	}
	return nil
}

// Stats in plain mode reads the whole file through `cat` and aggregates it
// here, as weblog-server would on the host (PROTOCOL.md §2.2): the same
// filter, keys and table, so the results are the same; only the bytes on
// the wire differ (every line crosses it). There is no policy, so no
// redaction.
func (s *plainSource) Stats(ctx context.Context, req Request, opt StatsOptions) (*tally.Table, error) {
	if req.History {
		return nil, errPlainHistory
	}
	agg, err := newPlainAggregator(req.Filter, s.format, opt, time.Now())
	if err != nil {
		return nil, err
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	err = PlainLines(ctx, conn, s.path, false, 0, agg.line)
	if err != nil && !errors.Is(err, errStopPath) {
		return nil, err
	}
	return agg.t, nil
}

// plainAggregator counts lines into a table the way the server's stats
// does: filter first, then parse; a selected line that does not parse is
// counted as unparsed.
type plainAggregator struct {
	t        *tally.Table
	sel      *accesslog.Selector // as the server's stats selects
	skipping bool                // inside a line longer than maxPlainLine, already counted
}

// newPlainAggregator compiles spec (a bad spec is an error before any
// connection is made) for lines of format (zero: detected).
func newPlainAggregator(spec accesslog.FilterSpec, format accesslog.Format, opt StatsOptions, now time.Time) (*plainAggregator, error) {
	sel, err := accesslog.NewSelector(spec, format, now)
	if err != nil {
		return nil, err
	}
	return &plainAggregator{t: tally.New(opt.By, opt.MaxGroups), sel: sel}, nil
}

// line counts one line as PlainLines emits it: a whole line, or a piece
// of maxPlainLine bytes of a longer one, which counts once, as unparsed
// (no format logs such lines on purpose). It returns errStopPath at the
// --until-path request, after counting it when it matches.
func (a *plainAggregator) line(line []byte) error {
	piece := len(line) >= maxPlainLine && !bytes.HasSuffix(line, []byte("\n"))
	if a.skipping || piece {
		if !a.skipping {
			a.t.AddUnparsed()
		}
		a.skipping = piece // the piece that ends the line ends the skip
		return nil
	}
	keep, stop := a.sel.Select(line)
	if keep {
		if rec, perr := a.sel.Record(); perr != nil {
			a.t.AddUnparsed()
		} else {
			a.t.Add(rec)
		}
	}
	if stop {
		return errStopPath
	}
	return nil
}
