package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/wire"
)

// followHelp is follow's --help, before the operand rules.
const followHelp = `Follows LOG (default: the host's first log) across rotation until
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

`

func followCommand() *cli.Command {
	flags := append(lineFlags(),
		&cli.IntFlag{Name: "lines", Aliases: []string{"n"}, Value: 10, Usage: "start with the last `N` lines (0: only new ones)"},
		&cli.DurationFlag{Name: "heartbeat", Value: 5 * time.Second, Usage: "ask the server for a heartbeat every `D` while the log is quiet; three missed ones mean the link is dead"},
		&cli.DurationFlag{Name: "keepalive", Value: 5 * time.Second, Usage: "send an SSH keepalive every `D` (0: none); three unanswered ones close the connection"},
		&cli.BoolFlag{Name: "no-reconnect", Usage: "exit when the connection is lost instead of reconnecting and resuming"},
		&cli.DurationFlag{Name: "merge-delay", Value: fleet.DefaultMergeDelay, Usage: "with --merge time, hold a line back at most `D` for earlier lines from other hosts", Category: "hosts"},
	)
	return logCommand("follow", "print a log's last lines, then new lines as they are written (like tail -F)", followHelp, flags, func(c *cli.Context, t targets) error {
		req := client.Request{Follow: true, Lines: c.Int("lines")}
		if req.Lines < 0 {
			return usageError{fmt.Errorf("follow: -n must not be negative")}
		}
		if req.Heartbeat = c.Duration("heartbeat"); req.Heartbeat < wire.MinHeartbeat || req.Heartbeat > wire.MaxHeartbeat {
			return usageError{fmt.Errorf("follow: --heartbeat must be between %s and %s", wire.MinHeartbeat, wire.MaxHeartbeat)}
		}
		req.Heartbeat = req.Heartbeat.Round(time.Second)
		// --keepalive 0 means none, which ReconnectOptions spells -1.
		if req.Keepalive = c.Duration("keepalive"); req.Keepalive == 0 {
			req.Keepalive = -1
		}
		if !c.Bool("no-reconnect") {
			req.Reconnect = &client.ReconnectOptions{Keepalive: req.Keepalive}
		}
		opt := fleet.LinesOptions{Delay: c.Duration("merge-delay")}
		if opt.Delay <= 0 {
			return usageError{fmt.Errorf("follow: --merge-delay must be positive")}
		}
		return printLines(c, t, req, opt)
	})
}
