package fleet

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestConfigFile(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HOME": "/home/a"}, "/home/a/.config/weblogctl/config.toml"},
		{map[string]string{"HOME": "/home/a", "XDG_CONFIG_HOME": "/x"}, "/x/weblogctl/config.toml"},
		{map[string]string{"HOME": "/home/a", "XDG_CONFIG_HOME": "relative"}, "/home/a/.config/weblogctl/config.toml"},
		{map[string]string{}, ""},
	}
	for _, tt := range tests {
		got, err := ConfigFile(func(k string) string { return tt.env[k] })
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("ConfigFile(%v) = %q, %v, want %q", tt.env, got, err, tt.want)
		}
	}
}

func TestParseGroups(t *testing.T) {
	g, err := ParseGroups([]byte(`
# the fleet
[defaults]
format = "json"   # another feature's table: left alone

[groups]
web = ["web[01-03]", "canary"]
db = ["db1", "db2"]
all = ["@web", "@db"]
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Groups{"web": {"web[01-03]", "canary"}, "db": {"db1", "db2"}, "all": {"@web", "@db"}}
	if len(g) != len(want) {
		t.Fatalf("ParseGroups = %v, want %v", g, want)
	}
	for k, v := range want {
		if !slices.Equal(g[k], v) {
			t.Errorf("group %s = %q, want %q", k, g[k], v)
		}
	}

	bad := []struct{ in, want string }{
		{"[groups]\nweb = \"web1\"\n", "web"},
		{"[groups]\nweb = [1, 2]\n", "web"},
		{"[groups]\n\"bad name\" = [\"a\"]\n", "invalid group name"},
		{"[groups]\nweb = [\"web[\"]\n", "unclosed ["},
		{"[groups]\nweb = [\"@bad name\"]\n", "invalid group name"},
		{"[groups\n", "toml"},
	}
	for _, tt := range bad {
		g, err := ParseGroups([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) || g != nil {
			t.Errorf("ParseGroups(%q) = %v, %v, want an error with %q", tt.in, g, err, tt.want)
		}
	}
}

func TestLoadGroups(t *testing.T) {
	dir := t.TempDir()
	g, err := LoadGroups(filepath.Join(dir, "missing.toml"))
	if err != nil || len(g) != 0 {
		t.Errorf("missing file: %v, %v, want no groups", g, err)
	}
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte("[groups]\nweb = [\"web1\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if g, err := LoadGroups(p); err != nil || !slices.Equal(g["web"], []string{"web1"}) {
		t.Errorf("LoadGroups = %v, %v", g, err)
	}
	if err := os.WriteFile(p, []byte("[groups]\nweb = ["), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadGroups(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("LoadGroups of a bad file: %v, want an error naming the file", err)
	}
	if err := os.WriteFile(p, make([]byte, MaxConfigSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadGroups(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("LoadGroups of a huge file: %v", err)
	}
}

func TestResolve(t *testing.T) {
	groups := Groups{
		"web":   {"web[01-03]", "canary"},
		"db":    {"db1", "db2"},
		"all":   {"@web", "@db", "web02"},
		"loop":  {"a", "@loop2"},
		"loop2": {"@loop"},
	}
	tests := []struct {
		in   []string
		want []string
	}{
		{[]string{"web1"}, []string{"web1"}},
		{[]string{"web1", "web2", "web1"}, []string{"web1", "web2"}},
		{[]string{"@web"}, []string{"web01", "web02", "web03", "canary"}},
		{[]string{"db9", "@all"}, []string{"db9", "web01", "web02", "web03", "canary", "db1", "db2"}},
		{[]string{"web[1-2]", "web{2,3}"}, []string{"web1", "web2", "web3"}},
		{nil, nil},
	}
	for _, tt := range tests {
		got, err := Resolve(tt.in, ResolveOptions{Groups: groups})
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Resolve(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}

	bad := []struct {
		in   []string
		max  int
		want string
	}{
		{[]string{"@nope"}, 0, "no group @nope in groups.toml"},
		{[]string{"@loop"}, 0, "group @loop names itself: @loop -> @loop2 -> @loop"},
		{[]string{"@bad name"}, 0, "invalid group name"},
		{[]string{"-oProxyCommand=x"}, 0, "cannot start with"},
		{[]string{"web[1-5]"}, 4, "names more than 4 hosts"},
		{[]string{"web[1-3]", "db[1-3]"}, 4, "more than 4 hosts"},
		{[]string{"web[1-4]", "web[1-4]", "web[1-4]", "web[1-4]", "web[1-4]", "web[1-4]", "web[1-4]", "web[1-4]", "web1"}, 4, "more than 32 host names"},
		{[]string{"web["}, 0, "unclosed ["},
	}
	for _, tt := range bad {
		got, err := Resolve(tt.in, ResolveOptions{Groups: groups, GroupsFile: "groups.toml", Max: tt.max})
		if err == nil || !strings.Contains(err.Error(), tt.want) || got != nil {
			t.Errorf("Resolve(%q) = %q, %v, want an error with %q", tt.in, got, err, tt.want)
		}
	}
}

func TestResolveDeepGroups(t *testing.T) {
	g := Groups{}
	for i := range 20 {
		g[string(rune('a'+i))] = []string{"@" + string(rune('a'+i+1))}
	}
	g["u"] = []string{"host"}
	if _, err := Resolve([]string{"@a"}, ResolveOptions{Groups: g}); err == nil || !strings.Contains(err.Error(), "nested more than 16 deep") {
		t.Errorf("Resolve of 20 nested groups: %v", err)
	}
	if h, err := Resolve([]string{"@h"}, ResolveOptions{Groups: g}); err != nil || !slices.Equal(h, []string{"host"}) {
		t.Errorf("Resolve of 13 nested groups = %q, %v", h, err)
	}
}

func TestParseHostsFile(t *testing.T) {
	in := `# web servers
web[01-02]
  db1   # the database
@edge

alice@[::1]:2222
`
	got, err := ParseHostsFile(strings.NewReader(in))
	want := []string{"web[01-02]", "db1", "@edge", "alice@[::1]:2222"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("ParseHostsFile = %q, %v, want %q", got, err, want)
	}
	bad := []struct {
		in   string
		line int
		want string
	}{
		{"web1\nweb2 web3\n", 2, "one host per line"},
		{"web1\n\nweb[\n", 3, "unclosed ["},
		{"@bad!\n", 1, "invalid group name"},
	}
	for _, tt := range bad {
		got, err := ParseHostsFile(strings.NewReader(tt.in))
		var le *LineError
		if !errors.As(err, &le) || le.Line != tt.line || !strings.Contains(err.Error(), tt.want) || got != nil {
			t.Errorf("ParseHostsFile(%q) = %q, %v, want line %d: %q", tt.in, got, err, tt.line, tt.want)
		}
	}
	if _, err := ParseHostsFile(strings.NewReader(strings.Repeat("x", MaxPatternLen+2000))); err == nil {
		t.Error("ParseHostsFile accepted an over-long line")
	}
	huge := strings.Repeat("web1\n", MaxHostsFileSize/5+1)
	if _, err := ParseHostsFile(strings.NewReader(huge)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("ParseHostsFile of %d bytes: %v", len(huge), err)
	}
}

// FuzzParseHostsFile: no panic; an error means no specs; each spec
// accepted is one word that Resolve can parse (groups aside).
func FuzzParseHostsFile(f *testing.F) {
	f.Add("web[01-02]\n# c\n db1 # x\n@g\n")
	f.Add("a b\n")
	f.Fuzz(func(t *testing.T, in string) {
		specs, err := ParseHostsFile(strings.NewReader(in))
		if err != nil {
			if specs != nil {
				t.Fatalf("specs %q with error %v", specs, err)
			}
			return
		}
		for _, s := range specs {
			if s == "" || strings.ContainsAny(s, " \t\n#") {
				t.Fatalf("spec %q from %q", s, in)
			}
			if strings.HasPrefix(s, "@") {
				continue
			}
			if _, err := Count(s); err != nil {
				t.Fatalf("spec %q accepted but does not parse: %v", s, err)
			}
		}
	})
}

// FuzzParseGroups: no panic; an error means no groups; every group
// accepted has a valid name and members that parse.
func FuzzParseGroups(f *testing.F) {
	f.Add("[groups]\nweb = [\"web[01-03]\", \"@db\"]\ndb = [\"db1\"]\n")
	f.Add("[groups]\nweb = \"x\"\n")
	f.Add("[other]\nx = 1\n")
	f.Fuzz(func(t *testing.T, in string) {
		g, err := ParseGroups([]byte(in))
		if err != nil {
			if g != nil {
				t.Fatalf("groups %v with error %v", g, err)
			}
			return
		}
		for name, members := range g {
			if CheckGroupName(name) != nil {
				t.Fatalf("group name %q accepted", name)
			}
			for _, m := range members {
				if checkMember(m) != nil {
					t.Fatalf("member %q of %q accepted", m, name)
				}
			}
		}
		// Resolving never panics, whatever the groups hold.
		for name := range g {
			Resolve([]string{"@" + name}, ResolveOptions{Groups: g, Max: 100})
		}
	})
}
