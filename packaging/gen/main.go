// Command gen writes the files the packages ship beside the binaries, all
// generated from the binaries' own urfave/cli definitions so that no flag
// list is copied by hand: the man pages weblogctl(1) and weblog-server(8)
// (from the hidden `docs man` command, gzipped reproducibly), the fish
// completion (`docs fish`), and the bash and zsh completion scripts,
// which are urfave/cli's own (autocomplete/ in its module) calling
// `weblogctl … --generate-bash-completion`.
//
// Usage (packaging/release runs it):
//
//	go run ./packaging/gen -weblogctl BIN -weblog-server BIN OUTDIR
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	client := flag.String("weblogctl", "", "the weblogctl `BINARY` to ask (built for this machine)")
	server := flag.String("weblog-server", "", "the weblog-server `BINARY` to ask (built for this machine)")
	flag.Parse()
	if *client == "" || *server == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gen -weblogctl BIN -weblog-server BIN OUTDIR")
		os.Exit(2)
	}
	if err := generate(*client, *server, flag.Arg(0)); err != nil {
		fmt.Fprintf(os.Stderr, "gen: error: %v\n", err)
		os.Exit(1)
	}
}

// generate writes OUTDIR/man/… and OUTDIR/completions/….
func generate(client, server, out string) error {
	auto, err := urfaveAutocomplete()
	if err != nil {
		return err
	}
	bash, err := os.ReadFile(filepath.Join(auto, "bash_autocomplete"))
	if err != nil {
		return err
	}
	zsh, err := os.ReadFile(filepath.Join(auto, "zsh_autocomplete"))
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"completions/weblogctl.bash": bash, // PROG defaults to the file's name: install it as …/completions/weblogctl
		"completions/_weblogctl":     bytes.ReplaceAll(zsh, []byte("$PROG"), []byte("weblogctl")),
	}
	for _, g := range []struct{ bin, arg, file string }{
		{client, "man", "man/weblogctl.1.gz"},
		{server, "man", "man/weblog-server.8.gz"},
		{client, "fish", "completions/weblogctl.fish"},
	} {
		b, err := run(g.bin, "docs", g.arg)
		if err != nil {
			return err
		}
		if strings.HasSuffix(g.file, ".gz") {
			if b, err = gzipped(b); err != nil {
				return err
			}
		}
		files[g.file] = b
	}
	for name, b := range files {
		p := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// urfaveAutocomplete finds the autocomplete directory of the urfave/cli
// module this repository's go.mod names.
func urfaveAutocomplete() (string, error) {
	dir, err := run("go", "list", "-m", "-f", "{{.Dir}}", "github.com/urfave/cli/v2")
	if err != nil {
		return "", err
	}
	d := strings.TrimSpace(string(dir))
	if d == "" {
		return "", errors.New("urfave/cli/v2 is not in the module cache (go mod download)")
	}
	return filepath.Join(d, "autocomplete"), nil
}

// run runs a program and returns its stdout.
func run(name string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// gzipped compresses b with no name and no time in the header, so the
// same page gives the same bytes (Debian's gzip -9n).
func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
