package subsystem

// The attack suite: one test per item of the checklist in SECURITY.md (at
// the top of the repository) that concerns a session (the numbers are the
// checklist's). Items proved elsewhere: 1 and 16 (policy file) in
// cmd/weblog-server's and policy's tests and
// testdata/script/server_modes.txtar; 9 (symlinks, hard links) and 10 in
// policy's tests; 12 in logfile's tests (a FIFO or symlink swapped in at rotation);
// 17 in sshserver's tests; 18 in render's tests; 19's audit half in
// audit's tests.

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// secretLine is what a successful attack would leak.
const secretLine = "root:x:0:0:SECRET:/root:/bin/bash\n"

// attackConfig serves access=DIR/logs/access.log; DIR/secret and
// DIR/logs-old/access.log exist too and must never be served.
func attackConfig(t *testing.T) (*testServer, string) {
	t.Helper()
	dir := t.TempDir()
	for path, content := range map[string]string{
		"logs/access.log":     "192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET /a?token=abc HTTP/1.1\" 200 1 \"-\" \"ua\"\n",
		"logs-old/access.log": secretLine,
		"secret":              secretLine,
	} {
		p := filepath.Join(dir, path)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return newTestServer(t, policy.Log{Name: "access", Path: filepath.Join(dir, "logs", "access.log")}), dir
}

// refused runs line and fails the test unless it is refused with nothing
// of the secret anywhere in the answer, quickly.
func refused(t *testing.T, cfg *testServer, line string) {
	t.Helper()
	start := time.Now()
	out, errOut, st := exec(t, cfg, line)
	if st == wire.StatusOK {
		t.Errorf("%q was served (%q)", line, out)
	}
	if strings.Contains(out+errOut, "SECRET") {
		t.Errorf("%q leaked the secret", line)
	}
	if strings.ContainsAny(errOut[:max(len(errOut)-1, 0)], "\n\r\x1b") {
		t.Errorf("%q: error %q holds control bytes", line, errOut)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("%q took %v to refuse", line, d)
	}
}

func TestAttack2ShellMetacharacters(t *testing.T) {
	cfg, dir := attackConfig(t)
	for _, line := range []string{"cat access; id", "cat $(id)", "cat `id`", "cat access | id", "cat access && id", "cat access > " + filepath.Join(dir, "pwned.txt"), "cat access >pwned.txt"} {
		refused(t, cfg, line)
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned.txt")); err == nil {
		t.Error("a file was created")
	}
}

func TestAttack3ControlBytes(t *testing.T) {
	cfg, _ := attackConfig(t)
	for _, line := range []string{"cat acc\ress", "cat access\nid", "cat acc\x00ess", "cat \x1b[2Jaccess", "cat \xff\xfe", "cat\taccess", "cat acc\u2028ess"} {
		refused(t, cfg, line)
	}
}

func TestAttack4OverlongRequest(t *testing.T) {
	cfg, _ := attackConfig(t)
	refused(t, cfg, "cat "+strings.Repeat("a", 100<<10))
	// Stream mode: covered with a 1 MiB line by TestServeRefusesOverlongRequest.
}

func TestAttack5OptionInjection(t *testing.T) {
	cfg, _ := attackConfig(t)
	for _, line := range []string{"cat -access", "cat -- access", "follow -nn 1 access", "follow -n1 access", "cat --off=1 access",
		"cat --offset=1 --offset=2 access", "cat --log=x=" + "/etc/passwd x", "cat --policy=/tmp/p access", "cat --profile=admin access",
		"follow --lines access", "cat --framed=1 access"} {
		refused(t, cfg, line)
	}
}

func TestAttack6EnvironmentSmuggling(t *testing.T) {
	cfg, _ := attackConfig(t)
	for _, line := range []string{"LD_PRELOAD=/tmp/x.so cat access", "GODEBUG=x cat access", "LANG=C cat access", "env cat access"} {
		refused(t, cfg, line)
	}
}

func TestAttack7Traversal(t *testing.T) {
	cfg, _ := attackConfig(t)
	for _, name := range []string{"../../etc/passwd", "a/../../x", "/etc/passwd", "//etc", "%2e%2e", "access/", "access/.", "..", ".", "../secret"} {
		refused(t, cfg, "cat "+name)
	}
}

func TestAttack8PrefixConfusion(t *testing.T) {
	cfg, dir := attackConfig(t)
	l := cfg.Logs[0]
	for _, p := range []string{filepath.Join(dir, "logs-old", "access.log"), filepath.Join(dir, "logs") + "-old/access.log", filepath.Join(dir, "logs", "..", "logs-old", "access.log")} {
		if f, err := l.OpenRelated(p); err == nil {
			f.Close()
			t.Errorf("OpenRelated(%s) opened a file outside the log's directory", p)
		}
	}
}

func TestAttack11Globs(t *testing.T) {
	cfg, _ := attackConfig(t)
	for _, name := range []string{"*", "**", "acc*", "{access,secret}", "[", "acc?ss", "~", "~root"} {
		refused(t, cfg, "cat "+name)
	}
}

func TestAttack13FilterDoS(t *testing.T) {
	cfg, _ := attackConfig(t)
	for _, line := range []string{
		"filter --grep=" + strings.Repeat("a", 2000) + " access",
		"filter --grep=(a{1000}){1000} access",
		"filter " + strings.Repeat("--status=404 ", 100) + "access",
	} {
		refused(t, cfg, line)
	}
	// Deep nesting within the size cap is accepted: RE2 matches in linear
	// time, so it answers quickly.
	start := time.Now()
	exec(t, cfg, "filter --grep="+strings.Repeat("(", 500)+"a"+strings.Repeat(")", 500)+" access")
	if d := time.Since(start); d > time.Second {
		t.Errorf("a deeply nested pattern took %v", d)
	}
}

// TestAttack14SlowClient: a client that never reads blocks the server on
// its write; the server reads the file no faster than the client drains,
// so its memory does not grow. Leaving ends the request at once.
func TestAttack14SlowClient(t *testing.T) {
	cfg, dir := attackConfig(t)
	l := cfg.Logs[0]
	big := bytes.Repeat([]byte("192.0.2.1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\n"), 200000)
	if err := os.WriteFile(l.Path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = dir
	r, w := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan wire.Status, 1)
	go func() { done <- Exec(ctx, cfg, "cat --framed access", w, io.Discard) }()
	// Read one frame, then stop reading: the server must be blocked, not
	// buffering the file.
	fr := wire.NewFrameReader(r)
	if _, err := fr.Next(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Fatal("the server finished while its client read nothing")
	case <-time.After(200 * time.Millisecond): // nothing to wait for: proving a block
	}
	cancel()
	r.CloseWithError(io.ErrClosedPipe)
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("the server did not stop within 1 s of its client leaving")
	}
}

func TestAttack15ManyRequestsOneSession(t *testing.T) {
	cfg, _ := attackConfig(t)
	var in strings.Builder
	for range 3000 {
		in.WriteString("version\nLS\n\x00\n")
	}
	var out, errOut bytes.Buffer
	Serve(context.Background(), cfg, strings.NewReader(in.String()), &out, &errOut)
	if n := strings.Count(out.String(), "protocol 1\n"); n != 3000 {
		t.Fatalf("%d version answers, want 3000", n)
	}
	if n := strings.Count(errOut.String(), "\n"); n != 6000 {
		t.Fatalf("%d error lines, want 6000", n)
	}
}

// TestAttack19DeniedLooksLikeNotFound: a log that is not in the policy, one
// that is but cannot be opened, and a verb not allowed give answers of the
// same shape and status.
func TestAttack19DeniedLooksLikeNotFound(t *testing.T) {
	cfg, dir := attackConfig(t)
	cfg.Logs = []policy.Log{
		{Name: "access", Path: filepath.Join(dir, "logs", "access.log")},
		{Name: "gone", Path: filepath.Join(dir, "logs", "gone.log")},
		{Name: "secret", Path: filepath.Join(dir, "secret")},
	}
	os.Chmod(filepath.Join(dir, "secret"), 0) // unreadable (for non-root)
	os.Symlink(filepath.Join(dir, "secret"), filepath.Join(dir, "logs", "gone.log"))
	shape := func(s string) string { // the message without the name
		return strings.NewReplacer(`"nosuch"`, "N", `"gone"`, "N").Replace(s)
	}
	_, e1, s1 := exec(t, cfg, "cat nosuch")
	_, e2, s2 := exec(t, cfg, "cat gone")
	if s1 != wire.StatusUnavailable || s2 != s1 || shape(e1) != shape(e2) {
		t.Errorf("not found: %v %q; symlinked: %v %q", s1, e1, s2, e2)
	}
	cfg.Verbs = []string{"follow"}
	_, e3, s3 := exec(t, cfg, "cat access")
	if s3 != wire.StatusUnavailable || strings.Contains(e3, "SECRET") {
		t.Errorf("verb not allowed: %v %q", s3, e3)
	}
}

// TestPolicyLimits: verbs, redaction (on cat too, and before filtering),
// the byte cap, and the audit log.
func TestPolicyLimits(t *testing.T) {
	cfg, _ := attackConfig(t)
	var entries []audit.Entry
	cfg.Audit = func(e audit.Entry) { entries = append(entries, e) }
	cfg.Redact = []string{"ip", "query"}
	out, _, st := exec(t, cfg, "cat access")
	if st != wire.StatusOK || strings.Contains(out, "192.0.2.1") || strings.Contains(out, "token") || !strings.Contains(out, "192.0.2.0") {
		t.Errorf("redacted cat = %q, %v", out, st)
	}
	// A filter cannot probe a redacted value.
	if out, _, _ := exec(t, cfg, "filter --ip=192.0.2.1/32 access"); out != "" {
		t.Errorf("--ip probed the hidden address: %q", out)
	}
	if out, _, _ := exec(t, cfg, "filter --grep=token access"); out != "" {
		t.Errorf("--grep probed the hidden query: %q", out)
	}
	cfg.Redact = nil
	cfg.MaxBytes = 10
	out, errOut, st := exec(t, cfg, "cat access")
	if st != wire.StatusLimit || len(out) != 10 || !strings.Contains(errOut, "byte limit") {
		t.Errorf("--max-bytes 10: %d bytes, %v, %q", len(out), st, errOut)
	}
	cfg.MaxBytes = 0
	cfg.Verbs = []string{"ls"}
	if _, _, st := exec(t, cfg, "cat access"); st != wire.StatusUnavailable {
		t.Errorf("a verb outside --verbs: %v", st)
	}
	if _, _, st := exec(t, cfg, "version"); st != wire.StatusOK {
		t.Errorf("version must stay allowed: %v", st)
	}
	exec(t, cfg, "cat ../x\r\n2026-01-01T00:00:00Z forged ok")
	var results []string
	for _, e := range entries {
		results = append(results, string(e.Result))
	}
	want := "ok ok ok error denied ok denied"
	if got := strings.Join(results, " "); got != want {
		t.Errorf("audit results %q, want %q", got, want)
	}
	if last := entries[len(entries)-1]; !strings.Contains(last.Request, "forged") || last.Result != audit.Denied {
		t.Errorf("last audit entry %+v", last)
	}
}

// TestAttack14IdleTimeout: a session that sends no request is closed
// after the idle timeout, with a limit status.
func TestAttack14IdleTimeout(t *testing.T) {
	cfg, _ := attackConfig(t)
	cfg.IdleTimeout = 50 * time.Millisecond
	r, w := io.Pipe()
	defer w.Close()
	var errOut bytes.Buffer
	done := make(chan wire.Status, 1)
	go func() { done <- Serve(context.Background(), cfg, r, io.Discard, &errOut) }()
	select {
	case st := <-done:
		if st != wire.StatusLimit || !strings.Contains(errOut.String(), "idle") {
			t.Fatalf("idle session ended with %v, %q", st, errOut.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an idle session was not closed")
	}
}

// TestAttack16KeysSeparated: what one key's server serves is all another
// key's requests can reach: key B's log is unknown to key A's server, and
// naming a profile or identity in a request changes nothing.
func TestAttack16KeysSeparated(t *testing.T) {
	cfgA, dir := attackConfig(t)
	pathB := filepath.Join(dir, "b.log")
	if err := os.WriteFile(pathB, []byte(secretLine), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgB := newTestServer(t, policy.Log{Name: "blog", Path: pathB})
	if out, _, st := exec(t, cfgB, "cat blog"); st != wire.StatusOK || out != secretLine {
		t.Fatalf("key B cannot read its own log: %q, %v", out, st)
	}
	for _, line := range []string{"cat blog", "cat --profile=b blog", "cat --user=b blog", "cat --key=SHA256:x blog"} {
		refused(t, cfgA, line)
	}
}
