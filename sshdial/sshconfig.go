package sshdial

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kevinburke/ssh_config"
)

// This file reads the ssh_config files and parses their value syntax
// (times, yes/no, ~ and %-tokens); resolve.go turns their keywords into the
// settings for one connection.

// localEnv is what the local side contributes to ssh_config expansion.
type localEnv struct {
	home     string
	user     string
	uid      string
	hostname string
}

func newLocalEnv() (*localEnv, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, fmt.Errorf("find home directory: %w", err)
	}
	env := &localEnv{home: home}
	if u, err := user.Current(); err == nil {
		env.user, env.uid = u.Username, u.Uid
	} else {
		env.uid = strconv.Itoa(os.Getuid())
		env.user = os.Getenv("USER")
		if env.user == "" {
			env.user = os.Getenv("LOGNAME")
		}
	}
	env.hostname, _ = os.Hostname()
	return env, nil
}

// sshConfig is the ssh_config files read for one Dial, first one first:
// like ssh, the first value found for a keyword wins.
type sshConfig struct {
	files []sshConfigFile
}

type sshConfigFile struct {
	path string
	cfg  *ssh_config.Config
}

const defaultSystemConfig = "/etc/ssh/ssh_config"

// loadSSHConfig reads the files Config names: ConfigFile "" means
// ~/.ssh/config (if present) followed by the system-wide file; any other
// ConfigFile replaces both, like ssh -F; "none" reads nothing.
func loadSSHConfig(env *localEnv, configFile, systemFile string) (*sshConfig, error) {
	c := &sshConfig{}
	switch configFile {
	case "none":
		return c, nil
	case "":
		if err := c.read(filepath.Join(env.home, ".ssh", "config"), false, true); err != nil {
			return nil, err
		}
		switch systemFile {
		case "none":
		case "":
			if err := c.read(defaultSystemConfig, false, false); err != nil {
				return nil, err
			}
		default:
			if err := c.read(expandTilde(systemFile, env.home), true, false); err != nil {
				return nil, err
			}
		}
	default:
		if err := c.read(expandTilde(configFile, env.home), true, true); err != nil {
			return nil, err
		}
	}
	return c, nil
}

const maxConfigSize = 1 << 20

func (c *sshConfig) read(path string, required, userOwned bool) error {
	f, err := os.Open(path)
	if err != nil {
		if !required && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("read ssh config: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read ssh config: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("read ssh config %s: not a regular file", path)
	}
	if userOwned && st.Mode().Perm()&0o022 != 0 {
		// ssh refuses such a file too: anyone who can write it can
		// redirect connections or switch off host key checking.
		return fmt.Errorf("read ssh config %s: bad permissions %04o: it must not be writable by group or others", path, st.Mode().Perm())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return fmt.Errorf("read ssh config: %w", err)
	}
	if len(data) > maxConfigSize {
		return fmt.Errorf("read ssh config %s: larger than %d bytes", path, maxConfigSize)
	}
	cfg, err := decodeConfig(path, data, userOwned)
	if err != nil {
		return fmt.Errorf("parse ssh config %s: %w", path, err)
	}
	c.files = append(c.files, sshConfigFile{path: path, cfg: cfg})
	return nil
}

// systemConfigDir is where kevinburke/ssh_config takes a file for the
// system-wide configuration, whose relative Include paths resolve there (as
// in ssh), not under ~/.ssh.
const systemConfigDir = "/etc/ssh"

// decodeConfig parses data, the content of the ssh_config file at path;
// userOwned is ssh's distinction between ~/.ssh/config or -F (relative
// Includes under ~/.ssh) and the system file (relative Includes under
// /etc/ssh).
//
// ssh_config.DecodeBytes always parses as a user file, and the library
// applies its system rules only to a file it loads by name from /etc/ssh.
// So the system file is handed to it by name, as an Include of its
// absolute path, which the library parses with those rules (data has
// already passed read's checks; the library reads the same file again). A
// system file elsewhere, or whose path the Include syntax cannot carry
// (white space, quotes, '#', glob characters), is parsed as a user file.
func decodeConfig(path string, data []byte, userOwned bool) (*ssh_config.Config, error) {
	abs, err := filepath.Abs(path)
	if userOwned || err != nil || !strings.HasPrefix(abs, systemConfigDir+"/") || strings.ContainsAny(abs, " \t\r\n\"'#*?[\\") {
		return ssh_config.DecodeBytes(data)
	}
	return ssh_config.DecodeBytes([]byte("Include " + abs + "\n"))
}

// get returns the first value of key for alias.
func (c *sshConfig) get(alias, key string) (string, error) {
	for _, f := range c.files {
		v, err := f.cfg.Get(alias, key)
		if err != nil {
			return "", fmt.Errorf("ssh config %s: %w", f.path, err)
		}
		if v != "" {
			return v, nil
		}
	}
	return "", nil
}

// getAll returns every value of key for alias, for keywords that accumulate
// (IdentityFile).
func (c *sshConfig) getAll(alias, key string) ([]string, error) {
	var all []string
	for _, f := range c.files {
		v, err := f.cfg.GetAll(alias, key)
		if err != nil {
			return nil, fmt.Errorf("ssh config %s: %w", f.path, err)
		}
		all = append(all, v...)
	}
	return all, nil
}

func parseYesNo(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "true":
		return true, nil
	case "no", "false":
		return false, nil
	}
	return false, errors.New("want yes or no")
}

// expandTilde replaces a leading "~" or "~/" with home and "~user/" with
// that user's home directory, like ssh's tilde_expand_filename. Paths it
// cannot expand are returned unchanged.
func expandTilde(p, home string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	name, rest, _ := strings.Cut(p[1:], "/")
	dir := home
	if name != "" {
		u, err := user.Lookup(name)
		if err != nil {
			return p
		}
		dir = u.HomeDir
	}
	if rest == "" {
		return dir
	}
	return filepath.Join(dir, rest)
}

// expandTokens replaces ssh_config %-tokens: "%%" is a '%', "%x" is
// tokens['x']. An unknown token or a trailing '%' is an error, as in ssh. On
// error the result is "".
func expandTokens(s string, tokens map[byte]string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", errors.New("'%' at the end")
		}
		if s[i] == '%' {
			b.WriteByte('%')
			continue
		}
		v, ok := tokens[s[i]]
		if !ok {
			return "", fmt.Errorf("unknown token %%%c", s[i])
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// parseSSHTime parses an ssh_config time value (sshd_config(5) "TIME
// FORMATS"): a number of seconds, or a sequence of numbers each followed by
// s, m, h, d or w, like "1m30s". On error it returns 0.
func parseSSHTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty time")
	}
	const limit = 365 * 24 * time.Hour
	var total time.Duration
	for rest := s; rest != ""; {
		n := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
		if n == 0 || n > 9 {
			return 0, fmt.Errorf("bad time %q", s)
		}
		v, _ := strconv.Atoi(rest[:n])
		rest = rest[n:]
		unit := time.Second
		if rest != "" {
			switch rest[0] {
			case 's', 'S':
			case 'm', 'M':
				unit = time.Minute
			case 'h', 'H':
				unit = time.Hour
			case 'd', 'D':
				unit = 24 * time.Hour
			case 'w', 'W':
				unit = 7 * 24 * time.Hour
			default:
				return 0, fmt.Errorf("bad time %q", s)
			}
			rest = rest[1:]
		}
		if time.Duration(v) > limit/unit {
			return 0, fmt.Errorf("time %q too long", s)
		}
		total += time.Duration(v) * unit
		if total > limit {
			return 0, fmt.Errorf("time %q too long", s)
		}
	}
	return total, nil
}
