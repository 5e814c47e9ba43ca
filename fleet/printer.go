package fleet

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	xterm "golang.org/x/term"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/render"
	"github.com/weblogctl/weblogctl/wire"
)

// Output of lines: in the chosen format ("" picks pretty for a terminal,
// raw otherwise), coloured on a terminal unless NO_COLOR is non-empty or
// TERM is dumb, control bytes from the log never reaching a terminal raw. With several hosts
// each line is prefixed with its host's label, "HOST: " padded so that the
// lines after it align (coloured like the rest); raw output keeps the
// line's bytes after the label (a last line without a newline gets one).
// json output gets a "host" member instead of a label. Every line is
// written whole: lines of different hosts never mix.

// labelColors are the SGR colours of host labels, used in turn.
var labelColors = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

// MaxLabelWidth bounds the padding of host labels, in columns.
const MaxLabelWidth = 40

// ErrOutput wraps a failure to write the command's own output, which ends
// the work on every host.
var ErrOutput = errors.New("output failed")

// outputError is a failure to write the output; it is ErrOutput.
type outputError struct{ error }

func (e outputError) Unwrap() error   { return e.error }
func (e outputError) Is(t error) bool { return t == ErrOutput }

// LinePrinter renders the whole log lines of one stream in a format. It
// buffers; call Flush after each batch that must be seen at once. It is
// not safe for concurrent use.
type LinePrinter struct {
	w      *bufio.Writer
	r      render.Renderer
	direct bool // raw bytes to a non-terminal, no label: no parsing at all
	parser *accesslog.AutoParser
	rec    accesslog.Record
}

// NewLinePrinter returns a printer of lines to out in format ("" picks by
// out, as above), parsing them as logFormat (zero: detected).
func NewLinePrinter(out io.Writer, format string, logFormat accesslog.Format) (*LinePrinter, error) {
	format, opts := defaults(out, format)
	return MakeLinePrinter(out, format, opts, logFormat)
}

// MakeLinePrinter is NewLinePrinter with explicit render options.
func MakeLinePrinter(out io.Writer, format string, opts render.Options, logFormat accesslog.Format) (*LinePrinter, error) {
	bw := bufio.NewWriterSize(out, 256<<10)
	p, err := newLinePrinter(bw, bw, format, opts, logFormat)
	if err != nil {
		return nil, err
	}
	p.direct = format == "raw" && !opts.Terminal && opts.Label == ""
	return p, nil
}

// newLinePrinter returns a printer that renders into rw, which writes
// to bw.
func newLinePrinter(bw *bufio.Writer, rw io.Writer, format string, opts render.Options, lf accesslog.Format) (*LinePrinter, error) {
	r, err := render.New(format, rw, opts)
	if err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	return &LinePrinter{w: bw, r: r, parser: accesslog.NewAutoParser(lf)}, nil
}

// defaults resolves format "" for out and returns the render options
// for out.
func defaults(out io.Writer, format string) (string, render.Options) {
	tty := IsTerminal(out)
	if format == "" {
		format = "raw"
		if tty {
			format = "pretty"
		}
	}
	return format, render.Options{Color: tty && ColorAllowed(os.Getenv), Terminal: tty}
}

// ColorAllowed reports whether the environment lets a terminal's output
// be coloured: not when NO_COLOR is set to anything but "" (no-color.org:
// an empty NO_COLOR does not count) nor on a TERM=dumb terminal.
func ColorAllowed(getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	if s, ok := w.(*SyncWriter); ok {
		w = s.W
	}
	f, ok := w.(*os.File)
	return ok && xterm.IsTerminal(int(f.Fd()))
}

// Lines renders each line in b (whole lines; the last may lack its
// newline).
func (p *LinePrinter) Lines(b []byte) error {
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
		if err := p.r.Render(line, &p.rec, perr); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes out what is buffered.
func (p *LinePrinter) Flush() error { return p.w.Flush() }

// Printer prints the lines of a Runner's hosts on one output: unlabelled
// for one host given alone, else each line labelled with its host. It is
// safe for concurrent use.
type Printer struct {
	mu      sync.Mutex
	w       *bufio.Writer
	hosts   []*LinePrinter // renders host i's lines into w
	flushes bool           // flush after each call of lines (set by Runner.Lines)
	err     error          // the first output failure
}

// PrinterOptions configure a Printer.
type PrinterOptions struct {
	// Format is the output format; "" picks pretty for a terminal, raw
	// otherwise.
	Format string
	// LogFormat is the logs' format (zero: detected).
	LogFormat accesslog.Format
	// Labels are the hosts to label lines with, one per host; nil prints
	// the one host's lines unlabelled.
	Labels []string
}

// NewPrinter returns a printer of lines to out.
func NewPrinter(out io.Writer, opt PrinterOptions) (*Printer, error) {
	format, opts := defaults(out, opt.Format)
	if opt.Labels == nil {
		p, err := MakeLinePrinter(out, format, opts, opt.LogFormat)
		if err != nil {
			return nil, err
		}
		return &Printer{w: p.w, hosts: []*LinePrinter{p}}, nil
	}
	fp := &Printer{w: bufio.NewWriterSize(out, 256<<10)}
	labels := hostLabels(opt.Labels, opts.Color)
	for i, h := range opt.Labels {
		o := opts
		var rw io.Writer = &labelWriter{w: fp.w, label: labels[i]}
		if format == "json" {
			o.Label, rw = h, fp.w
		}
		p, err := newLinePrinter(fp.w, rw, format, o, opt.LogFormat)
		if err != nil {
			return nil, err
		}
		fp.hosts = append(fp.hosts, p)
	}
	return fp, nil
}

// Lines prints whole lines of host i. It returns an error that is
// ErrOutput when the output fails (then on every later call too).
func (fp *Printer) Lines(i int, b []byte) error {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if fp.err != nil {
		return fp.err
	}
	err := fp.hosts[i].Lines(b)
	if err == nil && fp.flushes {
		err = fp.w.Flush()
	}
	if err != nil {
		fp.err = outputError{err}
	}
	return fp.err
}

// Flush writes out what is buffered.
func (fp *Printer) Flush() error {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if fp.err != nil {
		return fp.err
	}
	if err := fp.w.Flush(); err != nil {
		fp.err = outputError{err}
	}
	return fp.err
}

// hostLabels returns the label of each host: "HOST:" padded to the
// longest (at most MaxLabelWidth columns) and a space, the host coloured
// when color is set; shown as wire.Sanitize shows it, whatever a hosts
// file or ssh_config alias holds.
func hostLabels(hosts []string, color bool) [][]byte {
	width := 0
	for _, h := range hosts {
		width = max(width, min(utf8.RuneCountInString(wire.Sanitize(h)), MaxLabelWidth))
	}
	labels := make([][]byte, len(hosts))
	for i, h := range hosts {
		h = wire.Sanitize(h)
		var b strings.Builder
		if color {
			b.WriteString("\x1b[" + labelColors[i%len(labelColors)] + "m" + h + "\x1b[0m")
		} else {
			b.WriteString(h)
		}
		b.WriteByte(':')
		for n := utf8.RuneCountInString(h); n < width; n++ {
			b.WriteByte(' ')
		}
		b.WriteByte(' ')
		labels[i] = []byte(b.String())
	}
	return labels
}

// labelWriter prefixes each Write, which a render.Renderer makes once per
// output line, with a label, and ends it with a newline if it has none.
type labelWriter struct {
	w     *bufio.Writer
	label []byte
}

func (l *labelWriter) Write(p []byte) (int, error) {
	_, err := l.w.Write(l.label)
	if err == nil {
		_, err = l.w.Write(p)
	}
	if err == nil && (len(p) == 0 || p[len(p)-1] != '\n') {
		err = l.w.WriteByte('\n')
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}
