package sshdial

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestConfigLine(t *testing.T) {
	for _, tc := range []struct {
		line  string
		key   string
		words []string
	}{
		{"Host web1 web2", "Host", []string{"web1", "web2"}},
		{"  host\tweb1 # the edge", "host", []string{"web1"}},
		{"Host=web1", "Host", []string{"web1"}},
		{"Host = web1  web2", "Host", []string{"web1", "web2"}},
		{`Include "conf.d/my hosts"`, "Include", []string{"conf.d/my hosts"}},
		{"# Host commented", "", nil},
		{"", "", nil},
		{"Host", "Host", nil},
		{"Host a#b", "Host", []string{"a#b"}},
	} {
		key, words := configLine(tc.line)
		if key != tc.key || !reflect.DeepEqual(words, tc.words) {
			t.Errorf("configLine(%q) = %q, %q, want %q, %q", tc.line, key, words, tc.key, tc.words)
		}
	}
}

func TestHostAliases(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(".ssh/config", `Include conf.d/*.conf
Host web1 web2 *.example.com !bastion
    HostName 192.0.2.1
Host web1
Host=db1
Include ~/.ssh/config
Include missing/*
Match host foo
Host *
`)
	write(".ssh/conf.d/edge.conf", "Host edge1 edge?\nInclude ../config\n")
	write(".ssh/conf.d/notes.txt", "Host not-included\n")
	write("other", "Host other1\n")

	got := HostAliases(filepath.Join(home, ".ssh", "config"))
	want := []string{"edge1", "web1", "web2", "db1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("HostAliases = %q, want %q", got, want)
	}
	if got := HostAliases("~/other"); !reflect.DeepEqual(got, []string{"other1"}) {
		t.Errorf("HostAliases(~/other) = %q, want [other1]", got)
	}
	if got := HostAliases("none"); len(got) != 0 {
		t.Errorf("HostAliases(none) = %q, want none", got)
	}
	if got := HostAliases(filepath.Join(home, "missing")); len(got) != 0 {
		t.Errorf("HostAliases(missing file) = %q, want none", got)
	}
	if got := HostAliases(""); len(got) < 4 || got[0] != "edge1" {
		t.Errorf(`HostAliases("") = %q, want ~/.ssh/config's aliases first`, got)
	}
}

func FuzzConfigLine(f *testing.F) {
	for _, s := range []string{"Host a b", "Host=a", `Include "x y" z`, "# c", "Host a # c", `Host "a`, "=", "\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		key, words := configLine(line)
		if strings.ContainsAny(key, " \t=") {
			t.Fatalf("configLine(%q): key %q holds a separator", line, key)
		}
		if key == "" && words != nil {
			t.Fatalf("configLine(%q): words %q without a key", line, words)
		}
		for _, w := range words {
			if strings.Contains(w, `"`) {
				t.Fatalf("configLine(%q): word %q keeps a quote", line, w)
			}
			if !strings.Contains(line, w) && !strings.ContainsAny(line, `"`) {
				t.Fatalf("configLine(%q): word %q is not in the line", line, w)
			}
		}
	})
}
