package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// dialConfig builds the dialer's Config from the global flags.
func dialConfig(c *cli.Context) sshdial.Config {
	cfg := sshdial.Config{
		ConfigFile:            c.String("config"),
		Stderr:                c.App.ErrWriter,
		InsecureIgnoreHostKey: c.Bool("insecure-ignore-host-key"),
		User:                  c.String("login"),
		Port:                  c.Int("port"),
	}
	if c.Bool("verbose") {
		cfg.Debug = c.App.ErrWriter
	}
	if id := c.String("identity"); id != "" {
		cfg.IdentityFiles = []string{id}
	}
	if p, err := sshdial.TTYPrompter(); err == nil {
		cfg.Prompter = p
	}
	return cfg
}

// dialer returns a function that connects to host with the global flags.
func dialer(c *cli.Context, host string) client.DialFunc {
	cfg := dialConfig(c)
	return func(ctx context.Context) (*sshdial.Conn, error) {
		conn, err := sshdial.Dial(ctx, host, cfg)
		if err != nil {
			return nil, connectError{err}
		}
		return conn, nil
	}
}

// connect dials host with the global flags and returns a weblog client and
// a function that closes the connection.
func connect(c *cli.Context, host string, extra ...client.Option) (*client.Client, func(), error) {
	conn, err := dialer(c, host)(c.Context)
	if err != nil {
		return nil, nil, err
	}
	opts, err := clientOptions(c)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	opts = append(opts, extra...)
	return client.New(conn, opts...), func() { conn.Close() }, nil
}

// clientOptions are the weblog client's options from the global flags.
func clientOptions(c *cli.Context) ([]client.Option, error) {
	mode, err := client.ParseCompression(c.String("compress"))
	if err != nil {
		return nil, usageError{err}
	}
	return []client.Option{client.WithCompression(mode), client.WithParallel(c.Int("parallel"))}, nil
}

// defaultLog resolves an empty log name to the server's first log.
func defaultLog(ctx context.Context, wc *client.Client, log string) (string, error) {
	if log != "" {
		return log, nil
	}
	logs, err := wc.List(ctx)
	if err != nil {
		return "", err
	}
	if len(logs) == 0 {
		return "", fmt.Errorf("the server offers no logs")
	}
	if err := wire.CheckLogName(logs[0].Name); err != nil {
		return "", fmt.Errorf("the server's first log: %s", err)
	}
	return logs[0].Name, nil
}

// debugf prints a -v message on stderr.
func debugf(c *cli.Context, format string, args ...any) {
	fmt.Fprintf(c.App.ErrWriter, "weblogctl: debug: "+format+"\n", args...)
}
