package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/internal/buildinfo"
	"github.com/weblogctl/weblogctl/subsystem"
)

// Version overrides the version from the build information when set at
// link time (-ldflags "-X main.Version=…"); normally it stays empty.
var Version string

// versionLine is what --version prints after "weblog-server version ".
func versionLine() string {
	return fmt.Sprintf("%s, protocol %d", buildinfo.Version(Version), subsystem.Protocol)
}

// versionCommand is `weblog-server version`: the same line the version
// request prints to a client (PROTOCOL.md §2), for the host owner.
func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version and the protocol version",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit(fmt.Sprintf("weblog-server: error: version: unexpected argument %q", c.Args().First()), 2)
			}
			_, err := fmt.Fprintf(c.App.Writer, "%s %s protocol %d\n", subsystem.ServerName, buildinfo.Version(Version), subsystem.Protocol)
			return err
		},
	}
}
