package sshdial

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// HostAliases returns the host aliases that ssh_config files define, for
// shell completion: the names on Host lines that are not patterns (no *,
// ? or !), in file order, each once. It reads configFile like ssh -F
// ("" means ~/.ssh/config, then /etc/ssh/ssh_config; "none" nothing) and
// follows Include lines (globs, relative paths inside ~/.ssh, at most five
// levels deep). Completion must never fail, so a file that cannot be read
// contributes nothing.
//
// It scans the files itself because the ssh_config library keeps the
// files an Include pulls in private: it answers lookups for a known alias
// but cannot list the Host lines.
func HostAliases(configFile string) []string {
	home, _ := os.UserHomeDir()
	s := aliasScanner{home: home, seen: map[string]bool{}}
	switch configFile {
	case "none":
	case "":
		s.file(filepath.Join(home, ".ssh", "config"), false, 0)
		s.file(defaultSystemConfig, true, 0)
	default:
		s.file(expandTilde(configFile, home), false, 0)
	}
	return s.aliases
}

// aliasScanner collects aliases across files and includes.
type aliasScanner struct {
	home    string
	seen    map[string]bool
	aliases []string
}

// maxIncludeDepth is how deep Include lines are followed, as in ssh.
const maxIncludeDepth = 5

func (s *aliasScanner) file(path string, system bool, depth int) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return
	}
	data, _ := io.ReadAll(io.LimitReader(f, maxConfigSize))
	s.scan(data, system, depth)
}

// include reads the files one Include word names.
func (s *aliasScanner) include(word string, system bool, depth int) {
	switch {
	case filepath.IsAbs(word):
	case strings.HasPrefix(word, "~/"):
		word = filepath.Join(s.home, word[2:])
	case system:
		word = filepath.Join("/etc/ssh", word)
	default:
		word = filepath.Join(s.home, ".ssh", word)
	}
	matches, _ := filepath.Glob(word)
	for _, m := range matches {
		s.file(m, system, depth)
	}
}

// scan adds the aliases of one file's Host lines and of the files its
// Include lines name, in order.
func (s *aliasScanner) scan(data []byte, system bool, depth int) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), len(data)+1)
	for sc.Scan() {
		key, words := configLine(sc.Text())
		switch strings.ToLower(key) {
		case "host":
			for _, w := range words {
				if w == "" || strings.ContainsAny(w, "*?!") || s.seen[w] {
					continue
				}
				s.seen[w] = true
				s.aliases = append(s.aliases, w)
			}
		case "include":
			if depth >= maxIncludeDepth {
				continue
			}
			for _, w := range words {
				s.include(w, system, depth+1)
			}
		}
	}
}

// configLine splits an ssh_config line into its keyword and argument
// words: `Key value …` or `Key=value …`; # starts a comment; double quotes
// group words.
func configLine(line string) (key string, words []string) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", nil
	}
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return line, nil
	}
	if i == 0 {
		return "", nil // no keyword: not a line ssh accepts
	}
	key, rest := line[:i], strings.TrimLeft(line[i:], " \t")
	rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
	var w strings.Builder
	quoted, inWord := false, false
	for i := 0; i < len(rest); i++ {
		r := rest[i] // bytes: every separator is ASCII, and other bytes stay as they are
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case !quoted && (r == ' ' || r == '\t'):
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case !quoted && r == '#' && !inWord:
			return key, words
		default:
			w.WriteByte(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return key, words
}
