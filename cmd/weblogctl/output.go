package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/render"
)

// formatUsage documents --format.
var formatUsage = "output `FORMAT`: " + strings.Join(render.Names(), ", ") + " (default: pretty on a terminal, raw otherwise)"

// pathFlag selects plain mode: a file read through any sshd and shell
// account, with nothing installed on the host.
func pathFlag() cli.Flag {
	return &cli.StringFlag{Name: "path", Usage: "plain mode: read the file at `PATH` through an ordinary shell account (cat / tail -F), with nothing installed on the host; no policy, no exact resume"}
}

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
