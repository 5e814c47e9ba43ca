package installcheck

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

const (
	client = "/usr/bin/weblogctl"
	server = "/usr/lib/weblog/weblog-server"
	unit   = "/usr/lib/systemd/system/weblog-server.service"
)

// installed skips the test unless CI installed the package.
func installed(t *testing.T) {
	t.Helper()
	if os.Getenv("WEBLOG_INSTALLED") != "1" {
		t.Skip("set WEBLOG_INSTALLED=1 after installing the weblog .deb (see .ci/run)")
	}
}

// output runs a program and returns its stdout, failing the test with its
// stderr when it fails.
func output(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func TestFiles(t *testing.T) {
	installed(t)
	for path, mode := range map[string]os.FileMode{
		client:                                   0o755,
		server:                                   0o755,
		unit:                                     0o644,
		"/usr/share/man/man1/weblogctl.1.gz":     0o644,
		"/usr/share/man/man8/weblog-server.8.gz": 0o644,
		"/usr/share/bash-completion/completions/weblogctl":    0o644,
		"/usr/share/zsh/vendor-completions/_weblogctl":        0o644,
		"/usr/share/fish/vendor_completions.d/weblogctl.fish": 0o644,
		"/etc/weblog/policy.toml":                             0o644,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if st.Mode().Perm() != mode || !st.Mode().IsRegular() {
			t.Errorf("%s: mode %v, want a regular file with %v", path, st.Mode(), mode)
		}
	}
	// The policy is a conffile: dpkg keeps the admin's edits.
	if conf := output(t, nil, "dpkg-query", "--showformat=${Conffiles}", "--show", "weblog"); !strings.Contains(conf, "/etc/weblog/policy.toml") {
		t.Errorf("conffiles = %q, want /etc/weblog/policy.toml", conf)
	}
	// The service's own user exists; the unit is installed, not enabled.
	output(t, nil, "getent", "passwd", "weblog")
	if _, err := os.Lstat("/etc/systemd/system/multi-user.target.wants/weblog-server.service"); err == nil {
		t.Errorf("weblog-server.service is enabled; it must be installed disabled")
	}
}

func TestManPages(t *testing.T) {
	installed(t)
	env := []string{"MANPAGER=cat", "MANWIDTH=80", "LANG=C.UTF-8"}
	page := output(t, env, "man", "weblogctl")
	for _, want := range []string{"weblogctl - watch, filter and copy web-server logs over SSH", "follow", "--insecure-ignore-host-key"} {
		if !strings.Contains(page, want) {
			t.Errorf("man weblogctl does not show %q:\n%s", want, page)
		}
	}
	if page := output(t, env, "man", "8", "weblog-server"); !strings.Contains(page, "listen") || !strings.Contains(page, "--policy") {
		t.Errorf("man 8 weblog-server lacks listen or --policy:\n%s", page)
	}
}

// revision is a version that names real code: a release tag, or a
// pseudo-version or build with a 12-digit commit hash.
var revision = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?(\+dirty)?|[0-9a-f]{12}`)

func TestVersions(t *testing.T) {
	installed(t)
	c := strings.TrimSpace(output(t, nil, client, "--version"))
	v, ok := strings.CutPrefix(c, "weblogctl version ")
	v, _, _ = strings.Cut(v, ", protocol ")
	if !ok || !revision.MatchString(v) || strings.HasPrefix(v, "devel") && !strings.Contains(v, "rev ") {
		t.Fatalf("weblogctl --version = %q, want a release or a revision", c)
	}
	s := strings.TrimSpace(output(t, nil, server, "version"))
	if want := "weblog-server " + v + " protocol 1"; s != want {
		t.Errorf("weblog-server version = %q, want %q (the same build as weblogctl)", s, want)
	}
}

func TestBashCompletion(t *testing.T) {
	installed(t)
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte("Host web9 *.example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// What an interactive bash with bash-completion does on TAB: load
	// the completion on demand from /usr/share/bash-completion, then call
	// the function it registered with the words typed so far.
	complete := func(line string) string {
		t.Helper()
		words := strings.Fields(line)
		if strings.HasSuffix(line, " ") {
			words = append(words, "")
		}
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, strconv.Quote(w))
		}
		script := `set -e
. /usr/share/bash-completion/bash_completion
_completion_loader weblogctl || true
spec=$(complete -p weblogctl)
fn=${spec##*-F }; fn=${fn%% *}
COMP_WORDS=(` + strings.Join(quoted, " ") + `)
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE=` + strconv.Quote(line) + `
COMP_POINT=${#COMP_LINE}
"$fn" weblogctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
		return output(t, []string{"HOME=" + home}, "bash", "--norc", "--noprofile", "-c", script)
	}
	if got := complete("weblogctl fol"); got != "follow\n" {
		t.Errorf("weblogctl fol<TAB> = %q, want follow", got)
	}
	if got := complete("weblogctl follow "); got != "web9\n" {
		t.Errorf("weblogctl follow <TAB> = %q, want the alias web9 from ~/.ssh/config", got)
	}
	if got := complete("weblogctl fetch --hist"); got != "--history\n" {
		t.Errorf("weblogctl fetch --hist<TAB> = %q, want --history", got)
	}
}

func TestUnitVerifies(t *testing.T) {
	installed(t)
	cmd := exec.Command("systemd-analyze", "verify", unit)
	out, err := cmd.CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("weblog-server.service")) {
		t.Fatalf("systemd-analyze verify %s: %v\n%s", unit, err, out)
	}
}

// TestForcedCommandFetch is the real deployment: the installed
// weblog-server as the forced command of a key in a private OpenSSH sshd,
// the installed weblogctl copying the log through it.
func TestForcedCommandFetch(t *testing.T) {
	installed(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	var content bytes.Buffer
	for i := range 5000 {
		content.WriteString(`203.0.113.` + strconv.Itoa(i%250) + ` - - [03/Dec/2026:10:00:00 +0000] "GET /p/` + strconv.Itoa(i) + ` HTTP/1.1" 200 ` + strconv.Itoa(i) + ` "-" "ua \xff\xfe"` + "\n")
	}
	content.WriteString("no final newline \x00\x1b[31m")
	if err := os.WriteFile(log, content.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := sshdtest.Start(t, sshdtest.Options{KeyOptions: `restrict,command="` + server + ` --log access=` + log + `"`})
	cfg, err := s.SSHConfig("web1")
	if err != nil {
		t.Fatal(err)
	}
	got := output(t, nil, client, "-F", cfg, "fetch", "web1", "access")
	if got != content.String() {
		t.Fatalf("fetch through %s: %d bytes, want the log's %d bytes exactly", server, len(got), content.Len())
	}
	copyPath := filepath.Join(dir, "copy.log")
	output(t, nil, client, "-F", cfg, "fetch", "-o", copyPath, "web1")
	if b, err := os.ReadFile(copyPath); err != nil || !bytes.Equal(b, content.Bytes()) {
		t.Fatalf("fetch -o: %d bytes, %v; want the log exactly", len(b), err)
	}
	if ls := output(t, nil, client, "-F", cfg, "ls", "web1"); !strings.HasPrefix(ls, "access ") {
		t.Errorf("ls = %q, want the access log", ls)
	}
}
