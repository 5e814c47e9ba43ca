package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/render"
	"github.com/weblogctl/weblogctl/wire"
)

// Output of several hosts: each line is prefixed with its host's label,
// "HOST: " padded so that the lines after it align, and coloured on a
// terminal (unless NO_COLOR is set); raw output keeps the line's bytes
// after the label (a last line without a newline gets one). json output
// gets a "host" member instead of a label. Every line is written whole:
// lines of different hosts never mix.

// labelColors are the SGR colours of host labels, used in turn.
var labelColors = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

// maxLabelWidth bounds the padding of labels, in columns.
const maxLabelWidth = 40

// fleetPrinter prints the lines of several hosts on one output. It is
// safe for concurrent use.
type fleetPrinter struct {
	mu      sync.Mutex
	w       *bufio.Writer
	hosts   []*printer // renders host i's lines into w
	flushes bool       // flush after each call of lines
	err     error      // the first output failure
}

// newFleetPrinter returns a printer of hosts' lines in format ("" picks
// pretty for a terminal, raw otherwise). With flushes, each call of lines
// is written out at once (follow).
func newFleetPrinter(out io.Writer, format string, hosts []string, flushes bool) (*fleetPrinter, error) {
	tty := isTerminal(out)
	if format == "" {
		format = "raw"
		if tty {
			format = "pretty"
		}
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	opts := render.Options{Color: tty && !noColor, Terminal: tty}
	fp := &fleetPrinter{w: bufio.NewWriterSize(out, 256<<10), flushes: flushes}
	labels := hostLabels(hosts, opts.Color)
	for i, h := range hosts {
		o := opts
		var rw io.Writer = &labelWriter{w: fp.w, label: labels[i]}
		if format == "json" {
			o.Label, rw = h, fp.w
		}
		r, err := render.New(format, rw, o)
		if err != nil {
			return nil, usageError{fmt.Errorf("--format: %w", err)}
		}
		fp.hosts = append(fp.hosts, &printer{w: fp.w, r: r, parser: accesslog.NewAutoParser(accesslog.Format{})})
	}
	return fp, nil
}

// filterLocally makes every host's printer apply spec (plain mode).
func (fp *fleetPrinter) filterLocally(spec accesslog.FilterSpec) error {
	for _, p := range fp.hosts {
		if err := p.filterLocally(spec); err != nil {
			return err
		}
	}
	return nil
}

// lines prints whole lines of host i. It returns errStopPath at host i's
// --until-path request, and an outputError when the output fails (then
// on every later call too).
func (fp *fleetPrinter) lines(i int, b []byte) error {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if fp.err != nil {
		return fp.err
	}
	err := fp.hosts[i].lines(b)
	if err == nil && fp.flushes {
		err = fp.w.Flush()
	}
	if err != nil && !errors.Is(err, errStopPath) {
		fp.err = outputError{err}
		return fp.err
	}
	return err
}

// flush writes out what is buffered.
func (fp *fleetPrinter) flush() error {
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
// longest (at most maxLabelWidth columns) and a space, the host coloured
// when color is set; shown as wire.Sanitize shows it, whatever a hosts
// file or ssh_config alias holds.
func hostLabels(hosts []string, color bool) [][]byte {
	width := 0
	for _, h := range hosts {
		width = max(width, min(utf8.RuneCountInString(wire.Sanitize(h)), maxLabelWidth))
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
