package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/subsystem"
)

// policyFlags say what may be read and how it is parsed; every mode of the
// server takes them.
func policyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "log", Usage: "serve the file at absolute `NAME=PATH` (and its rotated siblings) as NAME; repeatable"},
		&cli.StringSliceFlag{Name: "log-format", Usage: "parse log NAME with `NAME=FORMAT`: common, combined, vhost_combined, nginx_main, json, an Apache LogFormat or an nginx log_format string (default: detected)"},
	}
}

// subsystemConfig builds what the sessions serve from the flags.
func subsystemConfig(c *cli.Context) (*subsystem.Config, error) {
	p, err := parsePolicy(c.StringSlice("log"))
	if err != nil {
		return nil, err
	}
	cfg := &subsystem.Config{Policy: p, Version: Version}
	for _, lf := range c.StringSlice("log-format") {
		name, format, ok := strings.Cut(lf, "=")
		if !ok {
			return nil, fmt.Errorf("--log-format %q: want NAME=FORMAT", lf)
		}
		if _, err := p.Lookup(name); err != nil {
			return nil, fmt.Errorf("--log-format %q: no --log named %q", lf, name)
		}
		f, err := accesslog.ParseFormat(format)
		if err != nil {
			return nil, fmt.Errorf("--log-format %q: %w", lf, err)
		}
		if cfg.Formats == nil {
			cfg.Formats = map[string]accesslog.Format{}
		}
		cfg.Formats[name] = f
	}
	return cfg, nil
}
