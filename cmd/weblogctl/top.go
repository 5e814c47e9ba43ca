package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	xterm "golang.org/x/term"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/dash"
	"github.com/weblogctl/weblogctl/dash/tui"
	"github.com/weblogctl/weblogctl/dash/web"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/wire"
)

// topHelp is top's --help, before the operand rules.
const topHelp = `A live dashboard of a log on one host or a fleet, like GoAccess, fed by
the servers' own aggregates: every --every each host sends a summary of
the lines written since the last one (stats --every), never the lines.
It shows requests/s and bytes/s over the last minutes, the status mix,
the top paths, referrers (of 200 hits), client IPs and user agents,
latency percentiles when the log records durations, and a row per host.
A host whose connection drops is marked STALE and reconnected with
backoff; the others carry on.

The "all" window holds what the hosts sent since top started, beginning
with the log as it was (add --since to start later); 1m, 5m and 1h hold
the new lines that arrived in the last minute, 5 minutes or hour.

Keys: q or Ctrl-C quits; w cycles the window (a, 1, 5, h pick all, 1m,
5m, 1h); / opens the filter prompt: words NAME:VALUE with the filter
options' protocol names (status:5xx path:^/api not-ip:10.0.0.0/8), Enter
restarts the feeds with it, an empty prompt clears it.

--web 127.0.0.1:PORT serves the same dashboard as a web page instead
(live charts, no external assets) and prints its URL; it listens on a
loopback address only, unless --web-any.

Examples:
   weblogctl top web1
   weblogctl top --status 5xx 'web[01-20]' --log access
   weblogctl top --web 127.0.0.1:8080 @edge

`

func topCommand() *cli.Command {
	flags := append([]cli.Flag{
		&cli.DurationFlag{Name: "every", Value: time.Second, Usage: "ask each host for a summary every `D` (1s to 5m)"},
		&cli.StringFlag{Name: "web", Usage: "serve the dashboard as a web page on `ADDR` (127.0.0.1:PORT) instead of the terminal"},
		&cli.BoolFlag{Name: "web-any", Usage: "let --web listen on an address that is not a loopback one: anyone who reaches it sees the logs' summaries"},
		&cli.StringFlag{Name: "window", Value: "all", Usage: "the window shown first: `W` all, 1m, 5m or 1h"},
		&cli.StringFlag{Name: "log", Usage: "the log `NAME` to read on every host (default: each host's first log)", Category: "hosts"},
	}, append(fleetFlags(false), filterFlags()...)...)
	return logCommand("top", "a live dashboard of a log on one host or a fleet (summaries from the servers)", topHelp, flags, runTop)
}

func runTop(c *cli.Context, t targets) error {
	every := c.Duration("every")
	if every < wire.MinEvery || every > wire.MaxEvery || every%time.Second != 0 {
		return usageError{fmt.Errorf("top: --every must be whole seconds from %s to %s", wire.MinEvery, wire.MaxEvery)}
	}
	window, ok := dash.ParseWindow(c.String("window"))
	if !ok {
		return usageError{fmt.Errorf("top: --window %q: want all, 1m, 5m or 1h", c.String("window"))}
	}
	spec, err := filterSpec(c)
	if err != nil {
		return err
	}
	addr := c.String("web")
	if addr != "" {
		if err := web.CheckAddr(addr, c.Bool("web-any")); err != nil {
			return usageError{fmt.Errorf("top: %w", err)}
		}
	} else if !isTerminal(c.App.Writer) || !isTerminal(c.App.Reader) {
		return usageError{errors.New("top: the dashboard needs a terminal (or --web ADDR for a web page)")}
	}
	r, err := newRunner(c, t)
	if err != nil {
		return err
	}
	d := dash.New(r.Hosts())
	f := dash.NewFeeder(dash.FeederConfig{Dash: d, Runner: r, Request: client.Request{Log: t.Log}, Filter: spec, Every: every})
	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	if err := f.Start(ctx, ""); err != nil {
		return usageError{err}
	}
	defer f.Stop()
	title := strings.Join(t.Hosts, " ")
	if len(t.Hosts) > 3 {
		title = fmt.Sprintf("%d hosts", len(t.Hosts))
	}
	if t.Log != "" {
		title += "  log " + t.Log
	}
	if addr != "" {
		return serveTop(ctx, c, addr, web.Config{Dash: d, Title: title})
	}
	noColor := !fleet.ColorAllowed(os.Getenv)
	return tui.Run(ctx, tui.Config{
		Dash: d, Title: title, Window: window, NoColor: noColor,
		Restart: func(prompt string) error { return f.Start(ctx, prompt) },
	}, c.App.Reader, c.App.Writer)
}

// serveTop serves the web dashboard on addr until ctx ends.
func serveTop(ctx context.Context, c *cli.Context, addr string, cfg web.Config) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("top: %w", err)
	}
	srv := &http.Server{Handler: web.Handler(cfg), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(c.App.Writer, "http://%s/\n", l.Addr())
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("top: %w", err)
	}
	return ctx.Err()
}

// isTerminal reports whether v is a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && xterm.IsTerminal(int(f.Fd()))
}
