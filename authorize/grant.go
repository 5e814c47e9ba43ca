package authorize

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/policy"
)

// DefaultServerPath is where the install instructions put weblog-server.
const DefaultServerPath = "/usr/local/bin/weblog-server"

// Grant is what one authorized_keys line or certificate grants.
type Grant struct {
	Key        []byte        // a public key in authorized_keys format (KEY.pub)
	ServerPath string        // absolute path of weblog-server
	From       []string      // from= patterns; each item may be a comma-separated list
	Values     policy.Values // weblog-server's settings: a profile, or --policy and --profile
	Expires    time.Time     // expiry-time=, when not zero
	Comment    string        // replaces the key's comment, when not ""
}

// KeyLine returns the authorized_keys line for g, without its line
// ending: restrict,command="…"[,from="…"][,expiry-time="…"] TYPE BASE64
// [COMMENT].
func (g Grant) KeyLine() (string, error) {
	pub, comment, err := parsePublicKey(g.Key)
	if err != nil {
		return "", err
	}
	argv, err := g.Command()
	if err != nil {
		return "", err
	}
	if g.Comment != "" {
		if err := policy.CheckText("--comment", g.Comment); err != nil {
			return "", err
		}
		comment = g.Comment
	}
	key := pub.Type() + " " + base64.StdEncoding.EncodeToString(pub.Marshal())
	if comment != "" {
		key += " " + comment
	}
	return policy.KeyLine{Command: argv, From: g.From, Expires: g.Expires, Key: key}.Marshal()
}

// Command returns the weblog-server command line g grants: the server's
// path and its settings. Errors name the weblogctl authorize flag at
// fault.
func (g Grant) Command() ([]string, error) {
	if err := policy.CheckText("--server-path", g.ServerPath); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(g.ServerPath) {
		return nil, fmt.Errorf("--server-path %q: not an absolute path (sshd runs the command from the user's home directory)", g.ServerPath)
	}
	v := g.Values
	for name, values := range v {
		for _, s := range values {
			if err := policy.CheckText("--"+name, s); err != nil {
				return nil, err
			}
		}
	}
	argv := []string{filepath.Clean(g.ServerPath)}
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
