package fleet

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// Groups maps a group name to its members. A member is a host, a
// pattern (see Expand) or another group as @NAME.
//
// In weblogctl's config file (see ConfigFile) they are the [groups]
// table:
//
//	[groups]
//	web = ["web[01-20]", "web-canary"]
//	db  = ["db1", "db2"]
//	all = ["@web", "@db"]
type Groups map[string][]string

// MaxConfigSize bounds the config file weblogctl reads, in bytes.
const MaxConfigSize = 1 << 20

// maxGroupName bounds a group name, in bytes.
const maxGroupName = 64

// ConfigFile returns the path of weblogctl's client config file:
// $XDG_CONFIG_HOME/weblogctl/config.toml, or
// $HOME/.config/weblogctl/config.toml when XDG_CONFIG_HOME is unset or not
// an absolute path (as the XDG Base Directory specification says).
// getenv is os.Getenv, or a stand-in for tests.
func ConfigFile(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "weblogctl", "config.toml"), nil
	}
	home := getenv("HOME")
	if !filepath.IsAbs(home) {
		return "", errors.New("config file: neither XDG_CONFIG_HOME nor HOME is set to an absolute path")
	}
	return filepath.Join(home, ".config", "weblogctl", "config.toml"), nil
}

// LoadGroups reads the groups from the config file at path. A missing
// file holds no groups. Other tables in the file are left to others.
func LoadGroups(path string) (Groups, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Groups{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	if len(data) > MaxConfigSize {
		return nil, fmt.Errorf("config file %s: larger than %d bytes", path, MaxConfigSize)
	}
	g, err := ParseGroups(data)
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return g, nil
}

// ParseGroups parses the [groups] table of a config file in TOML. Group
// names are [A-Za-z0-9][A-Za-z0-9._-]* (at most 64 bytes); every member
// must be a host, a valid pattern or @NAME. Whether a named group exists
// is checked when it is used (Resolve).
func ParseGroups(data []byte) (Groups, error) {
	var doc struct {
		Groups map[string][]string `toml:"groups"`
	}
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		return nil, err
	}
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "groups" {
			return nil, fmt.Errorf("[groups]: unexpected key %s (want NAME = [\"host\", …])", k)
		}
	}
	g := Groups{}
	for name, members := range doc.Groups {
		if err := CheckGroupName(name); err != nil {
			return nil, fmt.Errorf("[groups]: %w", err)
		}
		for _, m := range members {
			if err := checkMember(m); err != nil {
				return nil, fmt.Errorf("[groups] %s: %w", name, err)
			}
		}
		g[name] = members
	}
	return g, nil
}

// CheckGroupName returns an error unless name is a valid group name.
func CheckGroupName(name string) error {
	ok := name != "" && len(name) <= maxGroupName && isAlnum(name[0])
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = isAlnum(c) || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return fmt.Errorf("invalid group name %q (want letters, digits, '.', '_', '-', at most %d bytes)", name, maxGroupName)
	}
	return nil
}

// checkMember checks the syntax of one group member.
func checkMember(m string) error {
	if name, ok := strings.CutPrefix(m, "@"); ok {
		return CheckGroupName(name)
	}
	_, err := Count(m)
	return err
}
