package modproxy

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/zip"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// release is the version the test proxy offers: a release, so that
// @latest picks it, and one no real release will have.
const release = "v0.99.0"

// TestGoInstall: the README's `go install …/cmd/...@latest`, against a
// proxy that holds the working tree as release, installs weblogctl and
// weblog-server, and both report that release as their version.
func TestGoInstall(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	requireSumDB(t)
	root := moduleRoot(t, goBin)
	proxy := t.TempDir()
	m, err := Write(proxy, root, release)
	if err != nil {
		t.Fatal(err)
	}
	zipFile := filepath.Join(proxy, "github.com", "weblogctl", "weblogctl", "@v", release+".zip")
	checked, err := zip.CheckZip(m, zipFile)
	if err != nil {
		t.Fatalf("%s: %v", zipFile, err)
	}
	if len(checked.Valid) < 100 || len(checked.Invalid) > 0 {
		t.Fatalf("%s: %d files, %d invalid (%v)", zipFile, len(checked.Valid), len(checked.Invalid), checked.Invalid)
	}
	for _, f := range checked.Valid {
		if strings.HasPrefix(f, "bench/tailcompare/") {
			t.Errorf("the zip holds %s, of the nested module bench/tailcompare", f)
		}
	}

	gobin, modcache := t.TempDir(), t.TempDir()
	// Dependencies from the local module cache when it has them (its
	// cache/download is a proxy too), else from proxy.golang.org.
	hostCache := goEnv(t, goBin, "GOMODCACHE")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "install", m.Path+"/cmd/...@latest")
	cmd.Dir = t.TempDir() // outside any module, as a user would be
	cmd.Env = append(os.Environ(),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(hostCache, "cache", "download"))+",https://proxy.golang.org",
		"GONOSUMDB="+m.Path, // not published: sum.golang.org cannot know it
		"GONOPROXY=", "GOPRIVATE=",
		"GOBIN="+gobin,
		"GOMODCACHE="+modcache,
		// -modcacherw: the private module cache can be removed;
		// -trimpath: the build cache serves dependencies compiled
		// before, although their sources sit in another directory.
		"GOFLAGS=-modcacherw -trimpath",
		"GOWORK=off", "GOTOOLCHAIN=local",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go install %s/cmd/...@latest: %v\n%s", m.Path, err, out)
	}
	t.Logf("go install %s/cmd/...@latest:\n%s", m.Path, out)
	for _, c := range []struct{ bin, arg, want string }{
		{"weblogctl", "--version", "weblogctl version " + release + ", protocol "},
		{"weblog-server", "version", release},
	} {
		out, err := exec.CommandContext(ctx, filepath.Join(gobin, c.bin), c.arg).CombinedOutput()
		if err != nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%s %s: %v %q; want it to say %q", c.bin, c.arg, err, out, c.want)
		}
	}
	entries, err := os.ReadDir(gobin)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("GOBIN holds %d files, want weblogctl and weblog-server", len(entries))
	}
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot(t *testing.T, goBin string) string {
	t.Helper()
	gomod := goEnv(t, goBin, "GOMOD")
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not in a module")
	}
	return filepath.Dir(gomod)
}

func goEnv(t *testing.T, goBin, name string) string {
	t.Helper()
	out, err := exec.Command(goBin, "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// requireSumDB skips the test when sum.golang.org cannot be reached
// through proxy.golang.org (as the go command reaches it), unless
// WEBLOG_REQUIRE_TOOLS=1, which makes that a failure: go install checks
// every dependency it downloads against the checksum database.
func requireSumDB(t *testing.T) {
	t.Helper()
	const url = "https://proxy.golang.org/sumdb/sum.golang.org/supported"
	c := &http.Client{Timeout: 15 * time.Second}
	resp, err := c.Get(url)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
		err = fmt.Errorf("status %s", resp.Status)
	}
	if sshdtest.ToolsRequired() {
		t.Fatalf("go install needs the checksum database (WEBLOG_REQUIRE_TOOLS=1): %s: %v", url, err)
	}
	t.Skipf("the checksum database is out of reach: %s: %v", url, err)
}
