package sshdial

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// This file parses the HOST argument ([user@]host[:port] and its variants)
// on its own: what ssh_config makes of the host is resolve.go's business.

// hostArg is a parsed HOST argument.
type hostArg struct {
	user string // "" when not given
	host string // alias or address, without brackets
	port int    // 0 when not given
}

// parseHostArg parses a HOST argument: [user@]host[:port], [user@][addr]:port
// for IPv6 addresses (or [addr] alone), or ssh://[user@]host[:port]. An IPv6
// address without brackets is accepted when it carries no port. The user is
// everything before the last '@', as in ssh. On error the result is the zero
// hostArg.
func parseHostArg(s string) (hostArg, error) {
	t, err := parseHostArgParts(s)
	if err != nil {
		return hostArg{}, fmt.Errorf("bad host %q: %w", s, err)
	}
	return t, nil
}

func parseHostArgParts(s string) (hostArg, error) {
	rest := strings.TrimPrefix(s, "ssh://")
	if rest == "" {
		return hostArg{}, errors.New("empty host")
	}
	var t hostArg
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		t.user, rest = rest[:i], rest[i+1:]
		if err := checkUser(t.user); err != nil {
			return hostArg{}, err
		}
	}
	host, port := rest, ""
	hasPort := false
	switch {
	case strings.HasPrefix(rest, "["):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return hostArg{}, errors.New("missing ']'")
		}
		host = rest[1:end]
		if after := rest[end+1:]; after != "" {
			if after[0] != ':' {
				return hostArg{}, errors.New("unexpected text after ']'")
			}
			port, hasPort = after[1:], true
		}
	case strings.Count(rest, ":") == 1:
		host, port, _ = strings.Cut(rest, ":")
		hasPort = true
	case strings.Count(rest, ":") > 1:
		if _, err := netip.ParseAddr(rest); err != nil {
			return hostArg{}, errors.New("write an IPv6 address with a port as [addr]:port")
		}
	}
	if err := checkHostname(host); err != nil {
		return hostArg{}, err
	}
	t.host = host
	if hasPort {
		p, err := parsePort(port)
		if err != nil {
			return hostArg{}, err
		}
		t.port = p
	}
	return t, nil
}

// String formats t so that parseHostArg(t.String()) == t.
func (t hostArg) String() string {
	var b strings.Builder
	if t.user != "" {
		b.WriteString(t.user)
		b.WriteByte('@')
	}
	if strings.Contains(t.host, ":") {
		b.WriteString("[" + t.host + "]")
	} else {
		b.WriteString(t.host)
	}
	if t.port != 0 {
		b.WriteString(":" + strconv.Itoa(t.port))
	}
	return b.String()
}

// checkHostname accepts host names, aliases and IP addresses. It is stricter
// than ssh on purpose: host names end up in known_hosts lines, prompts and
// hints, so only letters, digits and "-._+" are allowed, plus ':' and '%'
// inside an IP address.
func checkHostname(h string) error {
	if h == "" {
		return errors.New("empty host name")
	}
	if len(h) > 1024 {
		return errors.New("host name too long")
	}
	if h[0] == '-' {
		return errors.New("host name starts with '-'")
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !isAlnum(c) && !strings.ContainsRune("-._+:%", rune(c)) {
			return fmt.Errorf("character %q not allowed in a host name", c)
		}
	}
	if strings.ContainsAny(h, ":%") {
		if _, err := netip.ParseAddr(h); err != nil {
			return errors.New("':' or '%' in a host name that is not an IP address")
		}
	}
	return nil
}

// checkUser refuses user names that are empty, start with '-', or contain
// spaces, control bytes or shell metacharacters (like ssh's valid_ruser).
func checkUser(u string) error {
	if u == "" {
		return errors.New("empty user name")
	}
	if len(u) > 256 {
		return errors.New("user name too long")
	}
	if u[0] == '-' {
		return errors.New("user name starts with '-'")
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c == 0x7f || strings.ContainsRune("'`\"$\\;&<>|(){}*?![]#~", rune(c)) {
			return fmt.Errorf("character %q not allowed in a user name", c)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// parsePort parses a decimal TCP port, 1 to 65535.
func parsePort(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty port")
	}
	if len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("bad port %q", s)
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return p, nil
}
