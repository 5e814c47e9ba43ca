package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"weblogctl": func() {
			os.Exit(run(context.Background(), os.Args, os.Stdout, os.Stderr))
		},
	})
}

// bins holds the binaries built for the tests: sshd must exec a real
// weblog-server at an absolute path, and process tests kill weblogctl.
var bins = map[string]string{}

// buildBin builds the command cmd/NAME once per test binary run and
// returns its path.
func buildBin(t testing.TB, name string) string {
	t.Helper()
	if p := bins[name]; p != "" {
		return p
	}
	dir, err := os.MkdirTemp("", "weblog-test-bin-")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	out, err := exec.Command("go", "build", "-o", bin, "github.com/weblogctl/weblogctl/cmd/"+name).CombinedOutput()
	if err != nil {
		t.Fatalf("go build %s: %v\n%s", name, err, out)
	}
	bins[name] = bin
	return bin
}

func TestScripts(t *testing.T) {
	bin := buildBin(t, "weblog-server")
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("..", "..", "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("WEBLOG_SERVER", bin)
			env.Setenv("HOME", env.WorkDir) // never touch the real ~/.ssh
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			// [sshd] / [ssh] hold when the tool exists, and also in CI
			// (WEBLOG_REQUIRE_TOOLS=1) so that a missing tool fails the
			// script instead of skipping it.
			switch cond {
			case "sshd", "ssh":
				if sshdtest.ToolsRequired() {
					return true, nil
				}
				_, err := lookTool(cond)
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: scriptCommands(bin),
	})
}
