package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/internal/policyflag"
	"github.com/weblogctl/weblogctl/policy"
)

// defaultServerPath is where the install instructions put weblog-server.
const defaultServerPath = "/usr/local/bin/weblog-server"

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
			&cli.StringFlag{Name: "server-path", Value: defaultServerPath, Usage: "absolute `PATH` of weblog-server on the log host"},
			&cli.GenericFlag{Name: "from", Value: &listValue{}, Usage: "accept the key only from these `PATTERNS` (comma-separated CIDRs, addresses or host patterns, ! to negate), as sshd's from= (with --ca: source-address, CIDRs and addresses only)"},
			&cli.StringFlag{Name: "expires", Usage: "sshd refuses the key after `WHEN`: 7d, 2w, 36h, 2026-12-31 (start of day, UTC) or an RFC 3339 time"},
			&cli.StringFlag{Name: "comment", Usage: "end the line with `TEXT` instead of the key's own comment"},
			&cli.StringFlag{Name: "ca", Usage: "sign a user certificate with the CA private key `FILE` instead of printing a line; writes KEY-cert.pub"},
			&cli.GenericFlag{Name: "principal", Value: &listValue{}, Usage: "with --ca: certify the key for `NAME` (the account, or a name in its AuthorizedPrincipalsFile); repeatable; default " + defaultPrincipal},
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
			key, err := readKeyFile(c.String("key"), c.App.Reader)
			if err != nil {
				return err
			}
			a := authorization{
				Key:        key,
				ServerPath: c.String("server-path"),
				From:       c.Generic("from").(*listValue).items,
				Values:     policyflag.Values(c),
				Comment:    c.String("comment"),
			}
			if c.IsSet("expires") {
				if a.Expires, err = policy.ParseExpiry(c.String("expires"), time.Now()); err != nil {
					return usageError{fmt.Errorf("authorize: --expires: %w", err)}
				}
			}
			if c.IsSet("ca") {
				return authorizeCertificate(c, a)
			}
			for _, name := range []string{"principal", "key-id", "serial"} {
				if c.IsSet(name) {
					return usageError{fmt.Errorf("authorize: --%s is for a certificate: give --ca CA_KEY too", name)}
				}
			}
			line, err := authorizedKeyLine(a)
			if err != nil {
				return usageError{fmt.Errorf("authorize: %w", err)}
			}
			_, err = fmt.Fprintln(c.App.Writer, line)
			return err
		},
	}
}

// listValue is a repeatable string flag that keeps each value whole:
// urfave/cli's StringSliceFlag would split at commas, which --from
// splits itself.
type listValue struct{ items []string }

func (l *listValue) Set(s string) error { l.items = append(l.items, s); return nil }
func (l *listValue) String() string     { return strings.Join(l.items, " ") }

// readKeyFile reads the public key file name, or stdin for "-".
func readKeyFile(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("authorize: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("authorize: reading %s: %w", name, err)
	}
	return data, nil
}

// authorization is what one authorized_keys line grants.
type authorization struct {
	Key        []byte        // a public key in authorized_keys format (KEY.pub)
	ServerPath string        // absolute path of weblog-server
	From       []string      // from= patterns; each item may be a comma-separated list
	Values     policy.Values // weblog-server's settings: a profile, or --policy and --profile
	Expires    time.Time     // expiry-time=, when not zero
	Comment    string        // replaces the key's comment, when not ""
}

// authorizedKeyLine returns the authorized_keys line for a, without its
// line ending: restrict,command="…"[,from="…"][,expiry-time="…"] TYPE
// BASE64 [COMMENT].
func authorizedKeyLine(a authorization) (string, error) {
	pub, comment, err := parsePublicKey(a.Key)
	if err != nil {
		return "", err
	}
	argv, err := serverCommand(a)
	if err != nil {
		return "", err
	}
	if a.Comment != "" {
		if err := policy.CheckText("--comment", a.Comment); err != nil {
			return "", err
		}
		comment = a.Comment
	}
	key := pub.Type() + " " + base64.StdEncoding.EncodeToString(pub.Marshal())
	if comment != "" {
		key += " " + comment
	}
	return policy.KeyLine{Command: argv, From: a.From, Expires: a.Expires, Key: key}.Marshal()
}

// serverCommand returns the weblog-server command line a grants: the
// server's path and its settings.
func serverCommand(a authorization) ([]string, error) {
	if err := policy.CheckText("--server-path", a.ServerPath); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(a.ServerPath) {
		return nil, fmt.Errorf("--server-path %q: not an absolute path (sshd runs the command from the user's home directory)", a.ServerPath)
	}
	v := a.Values
	for name, values := range v {
		for _, s := range values {
			if err := policy.CheckText("--"+name, s); err != nil {
				return nil, err
			}
		}
	}
	argv := []string{filepath.Clean(a.ServerPath)}
	profile := v.Last("profile")
	switch file := v.Last("policy"); {
	case file != "":
		if given := v.Given(policy.ScopeProfile); len(given) > 0 {
			return nil, fmt.Errorf("--policy and --%s: give the policy either as a file or as flags, not both", strings.Join(given, ", --"))
		}
		if !filepath.IsAbs(file) {
			return nil, fmt.Errorf("--policy %q: not an absolute path", file)
		}
		if profile == "" {
			return nil, errors.New("--policy needs --profile NAME: which profile of the file this key gets")
		}
		if _, err := policy.ProfileFromFlags(policy.Values{"profile": {profile}, "log": {"x=/x"}}); err != nil {
			return nil, fmt.Errorf("--profile: %w", err)
		}
		argv = append(argv, "--policy", filepath.Clean(file), "--profile", profile)
	default:
		p, err := policy.ProfileFromFlags(v)
		if err != nil {
			return nil, err
		}
		argv = append(argv, p.Args()...)
		if profile != "" {
			argv = append(argv, "--profile", p.Name)
		}
	}
	if auditLog := v.Last("audit-log"); auditLog != "" {
		if !filepath.IsAbs(auditLog) {
			return nil, fmt.Errorf("--audit-log %q: not an absolute path", auditLog)
		}
		argv = append(argv, "--audit-log", filepath.Clean(auditLog))
	}
	if v.Last("audit-syslog") == "true" {
		argv = append(argv, "--audit-syslog")
	}
	return argv, nil
}

// parsePublicKey parses exactly one public key in authorized_keys format,
// without options.
func parsePublicKey(data []byte) (ssh.PublicKey, string, error) {
	if bytes.Contains(data, []byte("PRIVATE KEY")) {
		return nil, "", errors.New("--key: this is a private key; give the public one (KEY.pub)")
	}
	pub, comment, options, rest, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		return nil, "", fmt.Errorf("--key: not a public key in authorized_keys format (ssh-ed25519 AAAA… comment): %w", err)
	}
	if len(options) > 0 {
		return nil, "", fmt.Errorf("--key: the key already has options (%s): give the plain public key", strings.Join(options, ","))
	}
	if _, _, _, _, err := ssh.ParseAuthorizedKey(rest); err == nil {
		return nil, "", errors.New("--key: more than one key: give one")
	}
	if _, ok := pub.(*ssh.Certificate); ok {
		return nil, "", errors.New("--key: a certificate, not a plain public key: give the key itself (certificates are authorized with cert-authority)")
	}
	if err := policy.CheckText("--key comment", comment); err != nil {
		return nil, "", err
	}
	return pub, comment, nil
}
