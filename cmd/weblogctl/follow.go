package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/wire"
)

func followCommand() *cli.Command {
	return &cli.Command{
		Name:      "follow",
		Usage:     "print a log's last lines, then new lines as they are written (like tail -F)",
		ArgsUsage: "HOST [LOG]",
		Description: `Follows LOG (default: the host's first log) across rotation until
interrupted. When the connection drops, weblogctl reconnects and resumes
exactly where it was: no line is lost or printed twice. The filter options
of "weblogctl filter" apply (on the server).

Examples:
   weblogctl follow web1
   weblogctl follow -n 0 --format raw web1 access | grep ' 404 '
   weblogctl follow web1 --status 5xx --format json
   weblogctl follow web1 --until-path /kill-weblog-monitor
   weblogctl follow --path /var/log/nginx/access.log web1   # plain sshd: tail -F`,
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "lines", Aliases: []string{"n"}, Value: 10, Usage: "start with the last `N` lines (0: only new ones)"},
			&cli.StringFlag{Name: "format", Usage: formatUsage},
			&cli.DurationFlag{Name: "heartbeat", Value: 5 * time.Second, Usage: "ask the server for a heartbeat every `D` while the log is quiet; three missed ones mean the link is dead"},
			&cli.DurationFlag{Name: "keepalive", Value: 5 * time.Second, Usage: "send an SSH keepalive every `D` (0: none); three unanswered ones close the connection"},
			&cli.BoolFlag{Name: "no-reconnect", Usage: "exit when the connection is lost instead of reconnecting and resuming"},
			pathFlag,
		}, filterFlags()...),
		Action: func(c *cli.Context) error {
			host, log, err := hostAndLog(c)
			if err != nil {
				return err
			}
			n := c.Int("lines")
			if n < 0 {
				return usageError{fmt.Errorf("follow: -n must not be negative")}
			}
			spec, err := filterSpec(c)
			if err != nil {
				return err
			}
			p, err := newPrinter(c.App.Writer, c.String("format"), "")
			if err != nil {
				return err
			}
			if c.IsSet("path") {
				if err := p.filterLocally(spec); err != nil {
					return err
				}
				return plainLines(c, p, true, n)
			}
			hb := c.Duration("heartbeat")
			if hb < wire.MinHeartbeat || hb > wire.MaxHeartbeat {
				return usageError{fmt.Errorf("follow: --heartbeat must be between %s and %s", wire.MinHeartbeat, wire.MaxHeartbeat)}
			}
			hb = hb.Round(time.Second)
			opt := client.FollowOptions{Lines: &n, Heartbeat: hb, Filter: spec}
			if c.Bool("verbose") {
				opt.OnOpen = func(o wire.Open) {
					debugf(c, "following %q: file %q from byte %d (%s)", o.Log, o.ID, o.Offset, sanitizeWord(o.Reason))
				}
			}
			emit := func(lines []byte) error {
				if err := p.lines(lines); err != nil {
					return err
				}
				return p.flush()
			}
			dial := dialer(c, host)
			if log == "" {
				wc, closeConn, err := connect(c, host)
				if err != nil {
					return err
				}
				log, err = defaultLog(c, wc, "")
				closeConn()
				if err != nil {
					return err
				}
			}
			ro := client.ReconnectOptions{
				Keepalive: c.Duration("keepalive"),
				OnRetry: func(err error, wait time.Duration) {
					fmt.Fprintf(c.App.ErrWriter, "weblogctl: warning: %s: %v; reconnecting in %s\n", host, err, wait.Round(time.Millisecond))
				},
			}
			if ro.Keepalive == 0 {
				ro.Keepalive = -1
			}
			if c.Bool("no-reconnect") {
				conn, err := dial(c.Context)
				if err != nil {
					return err
				}
				defer conn.Close()
				if ro.Keepalive > 0 {
					go conn.Keepalive(c.Context, ro.Keepalive, 3)
				}
				_, err = client.New(conn).Follow(c.Context, log, opt, emit)
				return err
			}
			return client.FollowReconnect(c.Context, dial, log, opt, ro, emit)
		},
	}
}

// sanitizeWord keeps remote text to printable ASCII for a debug line.
func sanitizeWord(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}
