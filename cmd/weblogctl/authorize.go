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
		Usage:     "print the authorized_keys line that lets a key read named logs",
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

Examples:
   weblogctl authorize --key alice.pub --log access=/var/log/nginx/access.log
   weblogctl authorize --key alice.pub --log access=/var/log/nginx/access.log \
       --log error=/var/log/nginx/error.log --from 192.0.2.0/24,2001:db8::/32 \
       --verbs follow,filter --redact ip,query,ua --max-bytes 1000000000
   ssh-add -L | head -1 | weblogctl authorize --key - --log access=/srv/log/access.log
   weblogctl authorize --key bob.pub --policy /etc/weblog-server/policy.toml --profile bob
   weblogctl authorize --key alice.pub --log access=/var/log/nginx/access.log >> ~/.ssh/authorized_keys`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "key", Usage: "the public key `FILE` (KEY.pub, as ssh-keygen writes it; - for stdin); required"},
			&cli.StringFlag{Name: "server-path", Value: defaultServerPath, Usage: "absolute `PATH` of weblog-server on the log host"},
			&cli.GenericFlag{Name: "from", Value: &listValue{}, Usage: "accept the key only from these `PATTERNS` (comma-separated CIDRs, addresses or host patterns, ! to negate), as sshd's from="},
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
}

// authorizedKeyLine returns the authorized_keys line for a, without its
// line ending: restrict,command="…"[,from="…"] TYPE BASE64 [COMMENT].
func authorizedKeyLine(a authorization) (string, error) {
	pub, comment, err := parsePublicKey(a.Key)
	if err != nil {
		return "", err
	}
	if err := policy.CheckText("--server-path", a.ServerPath); err != nil {
		return "", err
	}
	if !filepath.IsAbs(a.ServerPath) {
		return "", fmt.Errorf("--server-path %q: not an absolute path (sshd runs the command from the user's home directory)", a.ServerPath)
	}
	v := a.Values
	for name, values := range v {
		for _, s := range values {
			if err := policy.CheckText("--"+name, s); err != nil {
				return "", err
			}
		}
	}
	argv := []string{filepath.Clean(a.ServerPath)}
	profile := v.Last("profile")
	switch file := v.Last("policy"); {
	case file != "":
		if given := v.Given(policy.ScopeProfile); len(given) > 0 {
			return "", fmt.Errorf("--policy and --%s: give the policy either as a file or as flags, not both", strings.Join(given, ", --"))
		}
		if !filepath.IsAbs(file) {
			return "", fmt.Errorf("--policy %q: not an absolute path", file)
		}
		if profile == "" {
			return "", errors.New("--policy needs --profile NAME: which profile of the file this key gets")
		}
		if _, err := policy.ProfileFromFlags(policy.Values{"profile": {profile}, "log": {"x=/x"}}); err != nil {
			return "", fmt.Errorf("--profile: %w", err)
		}
		argv = append(argv, "--policy", filepath.Clean(file), "--profile", profile)
	default:
		p, err := policy.ProfileFromFlags(v)
		if err != nil {
			return "", err
		}
		argv = append(argv, p.Args()...)
		if profile != "" {
			argv = append(argv, "--profile", p.Name)
		}
	}
	if auditLog := v.Last("audit-log"); auditLog != "" {
		if !filepath.IsAbs(auditLog) {
			return "", fmt.Errorf("--audit-log %q: not an absolute path", auditLog)
		}
		argv = append(argv, "--audit-log", filepath.Clean(auditLog))
	}
	if v.Last("audit-syslog") == "true" {
		argv = append(argv, "--audit-syslog")
	}

	key := pub.Type() + " " + base64.StdEncoding.EncodeToString(pub.Marshal())
	if comment != "" {
		key += " " + comment
	}
	return policy.KeyLine{Command: argv, From: a.From, Key: key}.Marshal()
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
