package main

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

func followCommand() *cli.Command {
	return &cli.Command{
		Name:      "follow",
		Usage:     "print a log's last lines, then new lines as they are written (like tail -F)",
		ArgsUsage: "HOST [LOG] | HOST… [--log LOG]",
		Description: `Follows LOG (default: the host's first log) across rotation until
interrupted. When the connection drops, weblogctl reconnects and resumes
exactly where it was: no line is lost or printed twice. The filter options
of "weblogctl filter" apply (on the server).

With several hosts, every host is followed at once, each line labelled
with its host. A host that cannot be reached at the start is reported and
left out; one whose connection drops later is reconnected and resumed
like a single host. --merge time orders the lines by their timestamps: a
line is held back until every other host has sent a line at least as
late, but never longer than --merge-delay (default 2s), so lines arrive
in time order unless a host lags more than that; a line without a
timestamp stays behind its host's previous line.

Examples:
   weblogctl follow web1
   weblogctl follow -n 0 --format raw web1 access | grep ' 404 '
   weblogctl follow --status 5xx --format json web1
   weblogctl follow --until-path /kill-weblog-monitor web1
   weblogctl follow --path /var/log/nginx/access.log web1   # plain sshd: tail -F
   weblogctl follow --merge time --log access 'web[01-20]' @edge

` + hostsHelp,
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "lines", Aliases: []string{"n"}, Value: 10, Usage: "start with the last `N` lines (0: only new ones)"},
			&cli.StringFlag{Name: "format", Usage: formatUsage},
			&cli.DurationFlag{Name: "heartbeat", Value: 5 * time.Second, Usage: "ask the server for a heartbeat every `D` while the log is quiet; three missed ones mean the link is dead"},
			&cli.DurationFlag{Name: "keepalive", Value: 5 * time.Second, Usage: "send an SSH keepalive every `D` (0: none); three unanswered ones close the connection"},
			&cli.BoolFlag{Name: "no-reconnect", Usage: "exit when the connection is lost instead of reconnecting and resuming"},
			pathFlag(),
			logFormatFlag(),
			&cli.DurationFlag{Name: "merge-delay", Value: fleet.DefaultMergeDelay, Usage: "with --merge time, hold a line back at most `D` for earlier lines from other hosts", Category: "hosts"},
		}, append(fleetFlags(true), filterFlags()...)...),
		Action: func(c *cli.Context) (err error) {
			t, err := parseTargets(c, true)
			if err != nil {
				return err
			}
			defer func() { err = t.explain(c, err) }()
			n := c.Int("lines")
			if n < 0 {
				return usageError{fmt.Errorf("follow: -n must not be negative")}
			}
			spec, err := filterSpec(c)
			if err != nil {
				return err
			}
			if t.fleet {
				return followFleet(c, t, n, spec)
			}
			host, log := t.hosts[0], t.log
			p, err := commandPrinter(c, spec)
			if err != nil {
				return err
			}
			if c.IsSet("path") {
				return plainLines(c, p, true, n)
			}
			hb, err := heartbeat(c)
			if err != nil {
				return err
			}
			opt := client.FollowOptions{Lines: &n, Heartbeat: hb, Filter: spec}
			if c.Bool("verbose") {
				opt.OnOpen = func(o wire.Open) {
					debugf(c, "following %q: file %q from byte %d (%s)", o.Log, o.ID, o.Offset, wire.Sanitize(o.Reason))
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
				log, err = defaultLog(c.Context, wc, "")
				closeConn()
				if err != nil {
					return err
				}
			}
			ro := reconnectOptions(c, func(err error, wait time.Duration) {
				fmt.Fprintf(c.App.ErrWriter, "weblogctl: warning: %s: %v; reconnecting in %s\n", host, err, wait.Round(time.Millisecond))
			})
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

// heartbeat reads --heartbeat.
func heartbeat(c *cli.Context) (time.Duration, error) {
	hb := c.Duration("heartbeat")
	if hb < wire.MinHeartbeat || hb > wire.MaxHeartbeat {
		return 0, usageError{fmt.Errorf("follow: --heartbeat must be between %s and %s", wire.MinHeartbeat, wire.MaxHeartbeat)}
	}
	return hb.Round(time.Second), nil
}

// reconnectOptions reads --keepalive; onRetry reports a reconnection.
func reconnectOptions(c *cli.Context, onRetry func(err error, wait time.Duration)) client.ReconnectOptions {
	ro := client.ReconnectOptions{Keepalive: c.Duration("keepalive"), OnRetry: onRetry}
	if ro.Keepalive == 0 {
		ro.Keepalive = -1
	}
	return ro
}

// followFleet follows the log on every host at once, on one connection
// per host (the one that looked up the default log carries the follow;
// a new one is dialled only to reconnect).
func followFleet(c *cli.Context, t targets, n int, spec accesslog.FilterSpec) error {
	r, err := newFleetRun(c, t.hosts)
	if err != nil {
		return err
	}
	byTime, err := mergeByTime(c)
	if err != nil {
		return err
	}
	delay := c.Duration("merge-delay")
	if delay <= 0 {
		return usageError{fmt.Errorf("follow: --merge-delay must be positive")}
	}
	// Each batch is written out at once; merged lines after each round.
	lf, err := logFormat(c)
	if err != nil {
		return err
	}
	fp, err := newFleetPrinter(c.App.Writer, c.String("format"), t.hosts, !byTime)
	if err != nil {
		return err
	}
	for _, p := range fp.hosts {
		p.useFormat(lf)
	}
	if path := c.String("path"); c.IsSet("path") {
		if err := fp.filterLocally(spec); err != nil {
			return err
		}
		return runLines(r, fp, byTime, delay, 0, func(ctx context.Context, i int, emit func([]byte) error) error {
			conn, err := r.dial(ctx, t.hosts[i])
			if err != nil {
				return err
			}
			defer conn.Close()
			return client.PlainLines(ctx, conn, path, true, n, emit)
		})
	}
	hb, err := heartbeat(c)
	if err != nil {
		return err
	}
	return runLines(r, fp, byTime, delay, 0, func(ctx context.Context, i int, emit func([]byte) error) error {
		host := t.hosts[i]
		wc, conn, err := r.connect(ctx, host)
		if err != nil {
			return err
		}
		log, err := defaultLog(ctx, wc, t.log)
		if err != nil {
			conn.Close()
			return err
		}
		opt := client.FollowOptions{Lines: &n, Heartbeat: hb, Filter: spec, OnOpen: func(o wire.Open) {
			r.debugf(host, "following %q: file %q from byte %d (%s)", o.Log, o.ID, o.Offset, wire.Sanitize(o.Reason))
		}}
		ro := reconnectOptions(c, func(err error, wait time.Duration) {
			r.warnf(host, "%v; reconnecting in %s", err, wait.Round(time.Millisecond))
		})
		if c.Bool("no-reconnect") {
			defer conn.Close()
			if ro.Keepalive > 0 {
				go conn.Keepalive(ctx, ro.Keepalive, 3)
			}
			_, err = wc.Follow(ctx, log, opt, emit)
			return err
		}
		first := conn // reused for the first follow: one connection per host
		dial := func(ctx context.Context) (*sshdial.Conn, error) {
			if c := first; c != nil {
				first = nil
				return c, nil
			}
			return r.dial(ctx, host)
		}
		err = client.FollowReconnect(ctx, dial, log, opt, ro, emit)
		if first != nil {
			first.Close()
		}
		return err
	})
}
