package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/wire"
)

// Renderer writes log lines to its io.Writer.
type Renderer interface {
	// Render writes one line. rec and parseErr are the results of parsing
	// line; when parseErr is not nil, rec is ignored and the line is
	// shown as it is. line may end with "\n".
	Render(line []byte, rec *accesslog.Record, parseErr error) error
}

// Options adjust a Renderer. The zero Options are plain output for a
// program.
type Options struct {
	// Color enables ANSI colours in pretty output.
	Color bool
	// Terminal says that the output goes to a terminal: raw and referrers
	// output then has control bytes neutralised too. (pretty always
	// neutralises them; json output never contains them.)
	Terminal bool
	// Label, when not empty, names the host a line came from: text
	// formats start each line with "LABEL: ", json adds a "host" member.
	Label string
}

// Names returns the names New accepts.
func Names() []string { return []string{"raw", "pretty", "json", "referrers"} }

// New returns the Renderer called name, writing to w.
//
// The json renderer writes, for a line that parsed, the members
// remote_addr, user, time (RFC 3339), method, path, protocol, status (a
// number), bytes (a number, null for "-"), referrer and user_agent, then
// vhost, port, forwarded_for and duration (seconds, a number) when the
// format logs them, and request when the request line is not
// METHOD TARGET [PROTOCOL], and "partial": true for a line cut short
// (accesslog.Record.Partial). Fields that were not logged, were "-" or
// were lost by a cut are null. Escapes from the log (\" \xHH) are decoded.
func New(name string, w io.Writer, opts Options) (Renderer, error) {
	c := &common{w: w, opts: opts}
	if opts.Label != "" {
		c.prefix = []byte(opts.Label + ": ")
		if opts.Terminal || name == "pretty" {
			c.prefix = wire.AppendSanitized(nil, c.prefix)
		}
	}
	switch name {
	case "raw":
		return &raw{c}, nil
	case "pretty":
		return &pretty{common: c}, nil
	case "json":
		return &jsonRenderer{common: c}, nil
	case "referrers":
		return &referrers{c}, nil
	}
	return nil, fmt.Errorf("render: unknown format %q (want %s)", name, strings.Join(Names(), ", "))
}

// common holds what every renderer has.
type common struct {
	w      io.Writer
	opts   Options
	prefix []byte // label and ": ", or nil
	buf    []byte
}

// flush writes c.buf and keeps it for reuse.
func (c *common) flush() error {
	_, err := c.w.Write(c.buf)
	c.buf = c.buf[:0]
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	return nil
}

// trimEOL strips one trailing "\n" or "\r\n".
func trimEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n > 1 && line[n-2] == '\r' {
			line = line[:n-2]
		}
	}
	return line
}
