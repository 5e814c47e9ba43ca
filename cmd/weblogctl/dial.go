package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/sshdial"
)

// newRunner returns the runner of c's command over t's hosts, configured
// by the global flags and the command's --path and --log-format.
func newRunner(c *cli.Context, t targets) (*fleet.Runner, error) {
	name := c.Command.Name
	jobs := c.Int("jobs")
	if jobs < 1 {
		return nil, usageError{fmt.Errorf("%s: -j must be at least 1", name)}
	}
	if c.IsSet("path") && c.String("path") == "" {
		return nil, usageError{fmt.Errorf("%s: --path must not be empty", name)}
	}
	mode, err := client.ParseCompression(c.String("compress"))
	if err != nil {
		return nil, usageError{err}
	}
	lf, err := logFormat(c)
	if err != nil {
		return nil, err
	}
	stderr := &fleet.SyncWriter{W: c.App.ErrWriter}
	return fleet.NewRunner(fleet.RunConfig{
		Hosts:    t.Hosts,
		Labelled: t.Set,
		Jobs:     jobs,
		Dial:     dialer(c, stderr),
		Source:   client.SourceConfig{Path: c.String("path"), LogFormat: lf, Options: []client.Option{client.WithCompression(mode), client.WithParallel(c.Int("parallel"))}},
		Stderr:   stderr,
		Verbose:  c.Bool("verbose"),
		Describe: describe,
	}), nil
}

// dialer returns the function that connects to a host with the global
// flags, writing to stderr (safe for concurrent use) and asking one
// question at a time however many hosts are being connected to.
func dialer(c *cli.Context, stderr io.Writer) func(ctx context.Context, host string) (*sshdial.Conn, error) {
	cfg := dialConfig(c, stderr)
	return func(ctx context.Context, host string) (*sshdial.Conn, error) {
		conn, err := sshdial.Dial(ctx, host, cfg)
		if err != nil {
			return nil, connectError{err}
		}
		return conn, nil
	}
}

// dialConfig is the dialer's configuration from the global flags.
func dialConfig(c *cli.Context, stderr io.Writer) sshdial.Config {
	cfg := sshdial.Config{
		ConfigFile:            c.String("config"),
		Stderr:                stderr,
		InsecureIgnoreHostKey: c.Bool("insecure-ignore-host-key"),
		User:                  c.String("login"),
		Port:                  c.Int("port"),
	}
	if c.Bool("verbose") {
		cfg.Debug = stderr
	}
	if id := c.String("identity"); id != "" {
		cfg.IdentityFiles = []string{id}
	}
	if p, err := sshdial.TTYPrompter(); err == nil {
		cfg.Prompter = &lockedPrompter{p: p}
	}
	return cfg
}

// lockedPrompter asks one question at a time.
type lockedPrompter struct {
	mu sync.Mutex
	p  sshdial.Prompter
}

func (l *lockedPrompter) Password(prompt string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.Password(prompt)
}

func (l *lockedPrompter) Confirm(prompt string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.Confirm(prompt)
}
