package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/sshserver"
	"github.com/weblogctl/weblogctl/wire"
)

// listenCommand is `weblog-server listen`: the embedded SSH server, for
// hosts where OpenSSH's sshd cannot run weblog-server.
func listenCommand() *cli.Command {
	return &cli.Command{
		Name:  "listen",
		Usage: "run a self-contained SSH server that serves the logs (no sshd needed)",
		UsageText: `weblog-server listen --addr 127.0.0.1:2222 --host-key FILE --authorized-keys FILE [--trusted-user-ca-keys FILE] [--password-file FILE] --log NAME=PATH [--log NAME=PATH …]

Then, from a client:
  ssh -p 2222 HOST                   # follows the first log
  ssh -p 2222 HOST cat access > copy.log
  weblogctl -p 2222 follow HOST`,
		Description: `Serves the weblog protocol (the weblog subsystem and exec requests, as
under OpenSSH) and nothing else: no shell, no forwarding. A shell request
follows the first log. The host key (ed25519) is created if FILE does not
exist. Logs one line per connection, login and request on stderr; stops
gracefully on SIGINT or SIGTERM.

With --trusted-user-ca-keys, OpenSSH user certificates signed by one of those
CAs log in (weblogctl authorize --ca makes them) when valid now, for a user
name among their principals, from their source-address. A certificate's
force-command is its policy: read as weblog-server's own flags, never run
(--policy refused; --audit-log needs this server's --audit-log, where its
records go). The connection ends when the certificate expires.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:2222", Usage: "listen on `HOST:PORT` (0.0.0.0:2222 for every interface)"},
			&cli.StringFlag{Name: "host-key", Required: true, Usage: "the server's ed25519 host key `FILE` (OpenSSH format), created if missing"},
			&cli.StringFlag{Name: "authorized-keys", Usage: "public keys that may log in, in authorized_keys `FILE` format"},
			&cli.StringFlag{Name: "trusted-user-ca-keys", Usage: "accept OpenSSH user certificates signed by the CA public keys in `FILE` (one per line, like sshd's TrustedUserCAKeys); a certificate's force-command is its policy, read, never run"},
			&cli.StringFlag{Name: "password-file", Usage: "also allow passwords: USER:BCRYPT-HASH lines in `FILE` (htpasswd -nbB USER PW)"},
		}, policyFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cli.Exit(fmt.Sprintf("weblog-server: error: listen: unexpected argument %q", c.Args().First()), int(wire.StatusUsage))
			}
			if c.String("authorized-keys") == "" && c.String("password-file") == "" && c.String("trusted-user-ca-keys") == "" {
				return cli.Exit("weblog-server: error: listen: give --authorized-keys FILE (and/or --trusted-user-ca-keys FILE, --password-file FILE): nobody could log in", int(wire.StatusUsage))
			}
			s, err := newServer(c)
			if err != nil {
				return cli.Exit(wire.ErrorPrefix+err.Error(), int(wire.StatusUsage))
			}
			defer s.close()
			var stderr io.Writer = os.Stderr
			if c.App.ErrWriter != nil {
				stderr = c.App.ErrWriter
			}
			ctx, stop := signal.NotifyContext(c.Context, syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			err = sshserver.ListenAndServe(ctx, sshserver.Config{
				Addr:                  c.String("addr"),
				HostKeyFile:           c.String("host-key"),
				AuthorizedKeysFile:    c.String("authorized-keys"),
				PasswordFile:          c.String("password-file"),
				TrustedUserCAKeysFile: c.String("trusted-user-ca-keys"),
				ForcedSubsystem:       s.forced,
				Subsystem:             s.sub,
				Logger:                stderr,
			})
			if err != nil {
				return cli.Exit(wire.ErrorPrefix+err.Error(), int(wire.StatusInternal))
			}
			return nil
		},
	}
}
