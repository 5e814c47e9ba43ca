package fleet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/weblogctl/weblogctl/tally"
	"github.com/weblogctl/weblogctl/wire"
)

// The output formats of Runner.Stats.
const (
	StatsTable = "table" // aligned columns on a terminal, tab-separated otherwise, with a header
	StatsJSON  = "json"  // one object per row
	StatsCSV   = "csv"   // RFC 4180, with a header
)

// quantiles are the percentiles printed, with their column names.
var quantiles = []struct {
	q    float64
	name string
}{{0.5, "p50_ms"}, {0.9, "p90_ms"}, {0.99, "p99_ms"}}

// statsColumns are the columns of one Stats output.
type statsColumns struct {
	host      bool // a host column first (--per-host)
	keys      []tally.Key
	durations bool // percentile columns: some row has durations
}

// names returns the column names, as the header and JSON name them.
func (c statsColumns) names() []string {
	var n []string
	if c.host {
		n = append(n, "host")
	}
	for _, k := range c.keys {
		n = append(n, string(k))
	}
	n = append(n, "count", "bytes")
	if c.durations {
		for _, q := range quantiles {
			n = append(n, q.name)
		}
	}
	return n
}

// statsWriter writes rows in one format.
type statsWriter interface {
	row(r statsRow) error
	flush() error
}

// writeStats prints the rows of blocks in opt.Format to w, a terminal
// when tty.
func writeStats(w io.Writer, blocks []statsBlock, opt StatsOptions, tty bool) error {
	cols := statsColumns{host: opt.PerHost, keys: opt.Table.By}
	var rows []statsRow
	for _, b := range blocks {
		for _, r := range b.rows(opt) {
			cols.durations = cols.durations || r.g.Durations != nil
			rows = append(rows, r)
		}
	}
	sw, err := newStatsWriter(w, opt.Format, cols, tty)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := sw.row(r); err != nil {
			return err
		}
	}
	return sw.flush()
}

// newStatsWriter returns the writer of format to w, its header written
// (buffered) for the formats that have one. Text from the hosts is shown
// as wire.Sanitize shows it in the table, always, and in JSON and CSV
// when w is a terminal (tty).
func newStatsWriter(w io.Writer, format string, cols statsColumns, tty bool) (statsWriter, error) {
	text := func(s string) string { return s }
	if tty {
		text = wire.Sanitize
	}
	bw := bufio.NewWriter(w)
	switch format {
	case "", StatsTable:
		tw := &tableStats{bw: bw, out: bw, cols: cols}
		if tty {
			tw.tw = tabwriter.NewWriter(bw, 0, 4, 2, ' ', 0)
			tw.out = tw.tw
		}
		tw.line(cols.names())
		return tw, nil
	case StatsCSV:
		cw := &csvStats{bw: bw, w: csv.NewWriter(bw), cols: cols, text: text}
		cw.w.Write(cols.names())
		return cw, nil
	case StatsJSON:
		return &jsonStats{bw: bw, cols: cols, text: text}, nil
	}
	return nil, fmt.Errorf("--format %q: want %s, %s or %s", format, StatsTable, StatsJSON, StatsCSV)
}

// cells returns r's cells as text: host, values (the label in
// parentheses in every key column for the overflow and unparsed rows),
// count, bytes and the percentiles ("-" where unknown).
func (c statsColumns) cells(r statsRow, text func(string) string) []string {
	var cells []string
	if c.host {
		cells = append(cells, text(r.host))
	}
	for i := range c.keys {
		if r.label != "" {
			cells = append(cells, "("+r.label+")")
		} else {
			cells = append(cells, text(r.values[i]))
		}
	}
	cells = append(cells, strconv.FormatInt(r.g.Count, 10), strconv.FormatInt(r.g.Bytes, 10))
	if c.durations {
		for _, q := range quantiles {
			if r.g.Durations == nil {
				cells = append(cells, "-")
			} else {
				cells = append(cells, millis(r.g.Durations.Quantile(q.q)))
			}
		}
	}
	return cells
}

// millis formats a duration in milliseconds to the microsecond.
func millis(ms float64) string {
	return strconv.FormatFloat(math.Round(ms*1000)/1000, 'f', -1, 64)
}

// tableStats writes tab-separated lines, through a tabwriter that aligns
// them on a terminal.
type tableStats struct {
	bw   *bufio.Writer
	tw   *tabwriter.Writer // nil: not a terminal
	out  io.Writer
	cols statsColumns
}

func (t *tableStats) line(cells []string) {
	io.WriteString(t.out, strings.Join(cells, "\t")+"\n")
}

func (t *tableStats) row(r statsRow) error {
	// Sanitize escapes tabs and newlines too: a value cannot add a column.
	t.line(t.cols.cells(r, wire.Sanitize))
	return nil
}

func (t *tableStats) flush() error {
	if t.tw != nil {
		if err := t.tw.Flush(); err != nil {
			return err
		}
	}
	return t.bw.Flush()
}

// csvStats writes CSV records.
type csvStats struct {
	bw   *bufio.Writer
	w    *csv.Writer
	cols statsColumns
	text func(string) string
}

func (c *csvStats) row(r statsRow) error { return c.w.Write(c.cols.cells(r, c.text)) }

func (c *csvStats) flush() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// jsonStats writes one object per row, its members in column order: the
// keys as strings (status as a number; null in the overflow and
// unparsed rows, which say "overflow": true or "unparsed": true), count
// and bytes as numbers, and the percentiles only when the row has
// durations.
type jsonStats struct {
	bw   *bufio.Writer
	cols statsColumns
	text func(string) string
	buf  []byte
}

func (j *jsonStats) row(r statsRow) error {
	b := append(j.buf[:0], '{')
	member := func(name string, v []byte) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, name)
		b = append(b, ':')
		b = append(b, v...)
	}
	if j.cols.host {
		member("host", jsonString(j.text(r.host)))
	}
	for i, k := range j.cols.keys {
		switch {
		case r.label != "":
			member(string(k), []byte("null"))
		case k == tally.KeyStatus:
			member(string(k), jsonStatus(r.values[i]))
		default:
			member(string(k), jsonString(j.text(r.values[i])))
		}
	}
	member("count", strconv.AppendInt(nil, r.g.Count, 10))
	member("bytes", strconv.AppendInt(nil, r.g.Bytes, 10))
	if r.g.Durations != nil {
		for _, q := range quantiles {
			member(q.name, []byte(millis(r.g.Durations.Quantile(q.q))))
		}
	}
	if r.label != "" {
		member(r.label, []byte("true"))
	}
	b = append(b, '}', '\n')
	j.buf = b
	_, err := j.bw.Write(b)
	return err
}

func (j *jsonStats) flush() error { return j.bw.Flush() }

// jsonString is s as a JSON string (invalid UTF-8 as U+FFFD; "<", ">"
// and "&" as they are).
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// jsonStatus is a status value as a JSON number, or null for "-".
func jsonStatus(v string) []byte {
	if n, err := strconv.Atoi(v); err == nil {
		return strconv.AppendInt(nil, int64(n), 10)
	}
	return []byte("null")
}
