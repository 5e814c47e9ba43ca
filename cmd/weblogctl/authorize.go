package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/authorize"
	"github.com/weblogctl/weblogctl/internal/policyflag"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/sshdial"
)

func authorizeCommand() *cli.Command {
	return &cli.Command{
		Name:      "authorize",
		Usage:     "print the authorized_keys line (or sign the certificate) that lets a key read named logs",
		ArgsUsage: " ",
		Description: `Prints ONE line for ~/.ssh/authorized_keys on the log host. Pasted there, it is
the whole server-side installation (besides the weblog-server binary): the key
may then read the named logs, with the verbs and limits given, and nothing else
— no shell, no forwarding, no other file:

   restrict,command="/usr/local/bin/weblog-server --log access=/var/log/nginx/access.log" ssh-ed25519 AAAA… alice

sshd runs the command through the account's login shell ($SHELL -c), so every
argument is single-quoted for a POSIX shell (sh, dash, bash, ksh, zsh); give
the account such a login shell. Inside command="…" a double quote is written
\" as sshd expects.

The policy is either flags (--log and the options after it) or a policy file
on the log host (--policy FILE --profile NAME), not both.

--expires (7d, 2w, 36h, 2026-12-31 = that day's start in UTC, or an RFC 3339
time) adds expiry-time="YYYYMMDDHHMMSSZ": sshd refuses the key after it.

With --ca CA_KEY, authorize signs an OpenSSH user certificate instead and
writes it beside the key (KEY-cert.pub, where ssh and weblogctl look for it;
to stdout for --key -): its force-command is the same weblog-server command
line, --from becomes source-address (CIDRs and addresses only), it has no
permit-* extensions (no pty, no forwarding) and --expires is required. A host
then needs only TrustedUserCAKeys (and AuthorizedPrincipalsFile, or
--principal ACCOUNT) in sshd_config, no authorized_keys line; see README.

Examples:
   weblogctl authorize --key alice.pub --log access=/var/log/nginx/access.log
   weblogctl authorize --key alice.pub --log access=/var/log/nginx/access.log \
       --log error=/var/log/nginx/error.log --from 192.0.2.0/24,2001:db8::/32 \
       --verbs follow,filter --redact ip,query,ua --max-bytes 1000000000
   ssh-add -L | head -1 | weblogctl authorize --key - --log access=/srv/log/access.log
   weblogctl authorize --key bob.pub --policy /etc/weblog-server/policy.toml --profile bob
   weblogctl authorize --key alice.pub --log access=/var/log/nginx/access.log >> ~/.ssh/authorized_keys
   weblogctl authorize --key alice.pub --log access=/var/log/nginx/access.log --expires 7d --comment alice-2026
   weblogctl authorize --ca weblog_ca --key alice.pub --log access=/var/log/nginx/access.log \
       --redact ip --from 203.0.113.0/24 --expires 7d --principal weblog`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "key", Usage: "the public key `FILE` (KEY.pub, as ssh-keygen writes it; - for stdin); required"},
			&cli.StringFlag{Name: "server-path", Value: authorize.DefaultServerPath, Usage: "absolute `PATH` of weblog-server on the log host"},
			&cli.GenericFlag{Name: "from", Value: &listValue{}, Usage: "accept the key only from these `PATTERNS` (comma-separated CIDRs, addresses or host patterns, ! to negate), as sshd's from= (with --ca: source-address, CIDRs and addresses only)"},
			&cli.StringFlag{Name: "expires", Usage: "sshd refuses the key after `WHEN`: 7d, 2w, 36h, 2026-12-31 (start of day, UTC) or an RFC 3339 time"},
			&cli.StringFlag{Name: "comment", Usage: "end the line with `TEXT` instead of the key's own comment"},
			&cli.StringFlag{Name: "ca", Usage: "sign a user certificate with the CA private key `FILE` instead of printing a line; writes KEY-cert.pub"},
			&cli.GenericFlag{Name: "principal", Value: &listValue{}, Usage: "with --ca: certify the key for `NAME` (the account, or a name in its AuthorizedPrincipalsFile); repeatable; default " + authorize.DefaultPrincipal},
			&cli.StringFlag{Name: "key-id", Usage: "with --ca: the certificate's key `ID`, shown in sshd's and the audit log (default: --comment, else the key's comment)"},
			&cli.Uint64Flag{Name: "serial", Usage: "with --ca: the certificate's serial `N` (default: random), what a KRL revokes"},
		}, policyflag.Flags(policy.ScopeProfile, policy.ScopeSource, policy.ScopeServer)...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError{fmt.Errorf("authorize: unexpected argument %q", c.Args().First())}
			}
			if c.String("key") == "" {
				return usageError{errors.New("authorize: --key KEY.pub is required: the public key to authorize")}
			}
			key, err := authorize.ReadKey(c.String("key"), c.App.Reader)
			if err != nil {
				return err
			}
			g := authorize.Grant{
				Key:        key,
				ServerPath: c.String("server-path"),
				From:       c.Generic("from").(*listValue).items,
				Values:     policyflag.Values(c),
				Comment:    c.String("comment"),
			}
			if c.IsSet("expires") {
				if g.Expires, err = policy.ParseExpiry(c.String("expires"), time.Now()); err != nil {
					return usageError{fmt.Errorf("authorize: --expires: %w", err)}
				}
			}
			if c.IsSet("ca") {
				return authorizeCertificate(c, g)
			}
			for _, name := range []string{"principal", "key-id", "serial"} {
				if c.IsSet(name) {
					return usageError{fmt.Errorf("authorize: --%s is for a certificate: give --ca CA_KEY too", name)}
				}
			}
			line, err := g.KeyLine()
			if err != nil {
				return usageError{fmt.Errorf("authorize: %w", err)}
			}
			_, err = fmt.Fprintln(c.App.Writer, line)
			return err
		},
	}
}

// authorizeCertificate is authorize --ca: it signs the certificate for g
// and writes it beside the key, or to stdout for --key -.
func authorizeCertificate(c *cli.Context, g authorize.Grant) error {
	if c.IsSet("comment") && c.IsSet("key-id") {
		return usageError{errors.New("authorize: --comment and --key-id: a certificate has no comment; give --key-id")}
	}
	var prompter authorize.Prompter
	if p, err := sshdial.TTYPrompter(); err == nil {
		prompter = p
	}
	cert, err := g.Certificate(authorize.Cert{
		CAFile: c.String("ca"), Principals: c.Generic("principal").(*listValue).items,
		KeyID: c.String("key-id"), Serial: c.Uint64("serial"),
	}, prompter)
	if err != nil {
		return usageError{fmt.Errorf("authorize: %w", err)}
	}
	keyFile := c.String("key")
	if keyFile == "-" {
		_, err := c.App.Writer.Write(ssh.MarshalAuthorizedKey(cert))
		return err
	}
	path := authorize.CertificatePath(keyFile)
	if err := authorize.WriteCertificate(path, cert); err != nil {
		return fmt.Errorf("authorize: %w", err)
	}
	_, err = fmt.Fprintln(c.App.Writer, authorize.Describe(path, cert))
	return err
}

// listValue is a repeatable string flag that keeps each value whole:
// urfave/cli's StringSliceFlag would split at commas, which --from
// splits itself.
type listValue struct{ items []string }

func (l *listValue) Set(s string) error { l.items = append(l.items, s); return nil }
func (l *listValue) String() string     { return strings.Join(l.items, " ") }
