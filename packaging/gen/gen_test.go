package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenerate builds both binaries and generates the packaged files
// twice: the bytes must be the same both times (reproducible packages),
// and each file must be what its installed place expects.
func TestGenerate(t *testing.T) {
	bin := t.TempDir()
	out, err := exec.Command("go", "build", "-o", bin+"/", "github.com/weblogctl/weblogctl/cmd/weblogctl", "github.com/weblogctl/weblogctl/cmd/weblog-server").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	client, server := filepath.Join(bin, "weblogctl"), filepath.Join(bin, "weblog-server")
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := generate(client, server, dir); err != nil {
			t.Fatal(err)
		}
	}
	read := func(dir, name string) []byte {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for name, check := range map[string]func(string) bool{
		"man/weblogctl.1.gz": func(s string) bool {
			return strings.HasPrefix(s, ".nh\n.TH weblogctl 1") && strings.Contains(s, "follow")
		},
		"man/weblog-server.8.gz": func(s string) bool {
			return strings.Contains(s, ".TH weblog-server 8") && strings.Contains(s, "listen")
		},
		"completions/weblogctl.bash": func(s string) bool { return strings.Contains(s, "--generate-bash-completion") },
		"completions/_weblogctl": func(s string) bool {
			return strings.HasPrefix(s, "#compdef weblogctl\n") && !strings.Contains(s, "$PROG")
		},
		"completions/weblogctl.fish": func(s string) bool {
			return strings.Contains(s, "complete -c weblogctl") && !strings.Contains(s, "docs")
		},
	} {
		first, second := read(a, name), read(b, name)
		if !bytes.Equal(first, second) {
			t.Errorf("%s differs between two runs", name)
		}
		text := first
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(first))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if zr.Name != "" || !zr.ModTime.IsZero() {
				t.Errorf("%s: gzip header holds name %q, time %v; want neither", name, zr.Name, zr.ModTime)
			}
			if text, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if !check(string(text)) {
			t.Errorf("%s is not what its place expects:\n%.400s", name, text)
		}
	}
}
