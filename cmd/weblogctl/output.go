package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/render"
)

// formatUsage documents --format.
var formatUsage = "output `FORMAT`: " + strings.Join(render.Names(), ", ") + " (default: pretty on a terminal, raw otherwise)"

// logFormatFlag overrides the detection of the log's format when lines are
// parsed here: for rendering, and for filtering in plain mode.
func logFormatFlag() cli.Flag {
	return &cli.StringFlag{Name: "log-format", Usage: "parse the log as `FORMAT`: common, combined, vhost_combined, nginx_main, json, an Apache LogFormat or an nginx log_format string (default: detected)"}
}

// logFormat returns the --log-format given, or the zero Format.
func logFormat(c *cli.Context) (accesslog.Format, error) {
	if !c.IsSet("log-format") {
		return accesslog.Format{}, nil
	}
	f, err := accesslog.ParseFormat(c.String("log-format"))
	if err != nil {
		return accesslog.Format{}, usageError{fmt.Errorf("--log-format: %w", err)}
	}
	return f, nil
}

// commandPrinter is the printer of a one-host follow or filter: the
// --format and --log-format flags, and in plain mode (--path) the filter
// spec applied here, since no server filters.
func commandPrinter(c *cli.Context, spec accesslog.FilterSpec) (*printer, error) {
	p, err := newPrinter(c.App.Writer, c.String("format"), "")
	if err != nil {
		return nil, err
	}
	lf, err := logFormat(c)
	if err != nil {
		return nil, err
	}
	p.useFormat(lf)
	if c.IsSet("path") {
		if err := p.filterLocally(spec); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// useFormat makes the printer parse lines as f, when f is not zero.
func (p *printer) useFormat(f accesslog.Format) {
	if !f.IsZero() {
		p.parser = accesslog.NewAutoParser(f)
	}
}

// printer renders whole log lines in the chosen format. It buffers; call
// flush after each batch that must be seen at once.
type printer struct {
	w      *bufio.Writer
	r      render.Renderer
	direct bool // raw bytes to a non-terminal, no filter: no parsing at all
	parser *accesslog.AutoParser
	rec    accesslog.Record
	filter *accesslog.Filter // client-side filter (plain mode), or nil
}

// errStopPath ends output at the --until-path request, successfully.
var errStopPath = errors.New("--until-path request seen")

// newPrinter returns a printer for format ("" picks pretty for a
// terminal, raw otherwise). Colour is used on a terminal unless NO_COLOR
// is set; control bytes from the log never reach a terminal raw.
func newPrinter(out io.Writer, format, label string) (*printer, error) {
	tty := isTerminal(out)
	if format == "" {
		format = "raw"
		if tty {
			format = "pretty"
		}
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	return makePrinter(out, format, render.Options{Color: tty && !noColor, Terminal: tty, Label: label})
}

// makePrinter returns a printer for format with explicit options.
func makePrinter(out io.Writer, format string, opts render.Options) (*printer, error) {
	p := &printer{w: bufio.NewWriterSize(out, 256<<10), parser: accesslog.NewAutoParser(accesslog.Format{})}
	r, err := render.New(format, p.w, opts)
	if err != nil {
		return nil, usageError{fmt.Errorf("--format: %w", err)}
	}
	p.r = r
	p.direct = format == "raw" && !opts.Terminal && opts.Label == ""
	return p, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// lines renders each line in b (whole lines; the last may lack its
// newline).
func (p *printer) lines(b []byte) error {
	if p.direct {
		_, err := p.w.Write(b)
		return err
	}
	for len(b) > 0 {
		n := bytes.IndexByte(b, '\n') + 1
		if n == 0 {
			n = len(b)
		}
		line := b[:n]
		b = b[n:]
		perr := p.parser.Parse(line, &p.rec)
		if p.filter != nil && !p.filter.Match(line, &p.rec, perr) {
			if p.filter.Stops(&p.rec, perr) {
				return errStopPath
			}
			continue
		}
		if err := p.r.Render(line, &p.rec, perr); err != nil {
			return err
		}
		if p.filter != nil && p.filter.Stops(&p.rec, perr) {
			return errStopPath
		}
	}
	return nil
}

// filterLocally makes the printer apply spec itself, for plain mode where
// no server filters.
func (p *printer) filterLocally(spec accesslog.FilterSpec) error {
	if spec == (accesslog.FilterSpec{}) {
		return nil
	}
	f, err := accesslog.Compile(spec, time.Now())
	if err != nil {
		return usageError{err}
	}
	p.filter, p.direct = f, false
	return nil
}

// flush writes out what is buffered.
func (p *printer) flush() error { return p.w.Flush() }
