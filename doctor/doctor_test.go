package doctor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
	"github.com/weblogctl/weblogctl/sshdial"
)

// serverBin builds weblog-server once per test binary: sshd must exec a
// real one at an absolute path.
var serverBin = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "weblog-doctor-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "weblog-server")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/weblogctl/weblogctl/cmd/weblog-server").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build weblog-server: %v\n%s", err, out)
	}
	return bin, nil
})

// setup is one way of deploying weblog-server for a test host.
type setup struct {
	subsystem bool     // a Subsystem line instead of a forced command
	plain     bool     // neither: the key gets a shell
	program   string   // the program named, "" for the built weblog-server
	logs      []string // extra --log NAME=PATH; access=WORK/access.log always
	setEnv    []string // sshd_config SetEnv (the first value of a name wins; HOME defaults to an empty directory)
}

// testHost is a private sshd serving WORK/access.log to a test key.
type testHost struct {
	srv  *sshdtest.Server
	work string
	cfg  sshdial.Config
}

func startHost(t *testing.T, s setup) *testHost {
	t.Helper()
	sshdtest.Require(t, "sshd", "/usr/sbin/sshd")
	bin, err := serverBin()
	if err != nil {
		t.Fatal(err)
	}
	if s.program != "" {
		bin = s.program
	}
	work := t.TempDir()
	// A home of its own, so that the account's real ~/.bashrc stays out
	// of the test; s.setEnv may name another.
	home := t.TempDir()
	cmdline := bin + " --log access=" + filepath.Join(work, "access.log")
	for _, l := range s.logs {
		cmdline += " --log " + l
	}
	opt := sshdtest.Options{SetEnv: append(s.setEnv, "HOME="+home)}
	switch {
	case s.plain:
	case s.subsystem:
		opt.Subsystem = cmdline
	default:
		opt.KeyOptions = "restrict,command=" + strconv.Quote(cmdline)
	}
	srv := sshdtest.Start(t, opt)
	cfgFile, err := srv.SSHConfig("web1")
	if err != nil {
		t.Fatal(err)
	}
	writeLog(t, filepath.Join(work, "access.log"), 1, 50)
	return &testHost{srv: srv, work: work, cfg: sshdial.Config{ConfigFile: cfgFile}}
}

// writeLog appends combined-format lines first … first+n-1 to path.
func writeLog(t *testing.T, path string, first, n int) {
	t.Helper()
	var b bytes.Buffer
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&b, "192.0.2.%d - - [17/May/2015:10:%02d:%02d +0000] \"GET /page/%d HTTP/1.1\" 200 %d \"https://example.com/\" \"Mozilla/5.0\"\n",
			i%250+1, i/60%60, i%60, i, i*13)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func (h *testHost) run(t *testing.T) Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := Run(ctx, "web1", Config{Dial: h.cfg, Version: "dev"})
	var out bytes.Buffer
	Write(&out, r)
	t.Logf("doctor web1:\n%s", out.String())
	return r
}

// result returns the result of check, failing the test when it is
// missing.
func result(t *testing.T, r Report, check string) Result {
	t.Helper()
	for _, res := range r.Results {
		if res.Check == check {
			return res
		}
	}
	t.Fatalf("no %q check in the report", check)
	return Result{}
}

// want checks the verdict of check and that its detail and hint contain
// the given texts.
func want(t *testing.T, r Report, check string, v Verdict, detail, hint string) {
	t.Helper()
	res := result(t, r, check)
	if res.Verdict != v {
		t.Errorf("%s: verdict %v, want %v (%s)", check, res.Verdict, v, res.Detail)
	}
	if !strings.Contains(res.Detail, detail) {
		t.Errorf("%s: detail %q does not say %q", check, res.Detail, detail)
	}
	if !strings.Contains(res.Hint, hint) {
		t.Errorf("%s: hint %q does not say %q", check, res.Hint, hint)
	}
}

// logrotate rotates WORK/access.log with the given directive (create or
// copytruncate), as a host's logrotate would.
func (h *testHost) logrotate(t *testing.T, directive string) {
	t.Helper()
	// Rotation style is read from birth times, which file systems stamp
	// from a coarse clock: let that clock pass the log's birth first, as
	// it has on any real host long before a rotation.
	waitBirthAfter(t, filepath.Join(h.work, "access.log"))
	lr := sshdtest.Require(t, "logrotate", "/usr/sbin/logrotate")
	conf := filepath.Join(h.work, "logrotate.conf")
	stanza := fmt.Sprintf("%s {\n  rotate 3\n  %s\n}\n", filepath.Join(h.work, "access.log"), directive)
	if err := os.WriteFile(conf, []byte(stanza), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lr, "-f", "-s", filepath.Join(h.work, "logrotate.state"), conf).CombinedOutput()
	if err != nil {
		t.Fatalf("logrotate: %v\n%s", err, out)
	}
}

func TestCorrectHost(t *testing.T) {
	for _, sub := range []bool{false, true} {
		t.Run(fmt.Sprintf("subsystem=%v", sub), func(t *testing.T) {
			h := startHost(t, setup{subsystem: sub})
			// Rotated the right way, with lines since.
			h.logrotate(t, "create")
			writeLog(t, filepath.Join(h.work, "access.log"), 51, 20)
			r := h.run(t)
			for _, res := range r.Results {
				if res.Verdict != OK {
					t.Errorf("%s: %v %s — %s", res.Check, res.Verdict, res.Detail, res.Hint)
				}
			}
			if r.Failed() {
				t.Error("Failed() on a correct host")
			}
			via := "forced command"
			if sub {
				via = "subsystem"
			}
			want(t, r, CheckServer, OK, via, "")
			want(t, r, CheckAuth, OK, "publickey "+h.srv.ClientKey, "")
			want(t, r, CheckFormat+" access", OK, "combined (detected; 20 of its first 20 lines parse)", "")
			want(t, r, CheckRotation+" access", OK, "rename+create (newest: access.log.1)", "")
			want(t, r, CheckLog+" access", OK, "1 rotated files", "")
			for _, c := range []string{CheckReach, CheckHostKey, CheckVersion, CheckLogs, CheckClock, CheckShell} {
				result(t, r, c)
			}
		})
	}
}

func TestUnknownHostKey(t *testing.T) {
	h := startHost(t, setup{})
	if err := os.WriteFile(h.srv.KnownHosts, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run(t)
	want(t, r, CheckReach, OK, "", "")
	want(t, r, CheckHostKey, Fail, "is not known", "ssh-keyscan -p "+h.srv.Port+" 127.0.0.1")
	want(t, r, CheckAuth, Skip, "", "")
	if !r.Failed() {
		t.Error("not Failed()")
	}
	// Doctor reports; it never adds the key.
	if b, err := os.ReadFile(h.srv.KnownHosts); err != nil || len(b) != 0 {
		t.Errorf("known_hosts = %q, %v; want it left empty", b, err)
	}
}

func TestHostKeyChanged(t *testing.T) {
	h := startHost(t, setup{})
	other, err := sshdtest.WriteKey(filepath.Join(t.TempDir(), "other_host_key"))
	if err != nil {
		t.Fatal(err)
	}
	line := "[127.0.0.1]:" + h.srv.Port + " " + string(ssh.MarshalAuthorizedKey(other))
	if err := os.WriteFile(h.srv.KnownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run(t)
	want(t, r, CheckHostKey, Fail, "has CHANGED", "remove the old key")
	want(t, r, CheckAuth, Skip, "", "")
}

func TestKeyNotAuthorized(t *testing.T) {
	h := startHost(t, setup{})
	other := filepath.Join(t.TempDir(), "id_other")
	if _, err := sshdtest.WriteKey(other); err != nil {
		t.Fatal(err)
	}
	h.cfg.IdentityFiles = []string{other}
	// Offer only that key: the config's IdentitiesOnly admits command-line
	// identities, and the test key is still in the config, so drop the
	// config's IdentityFile with a config of our own.
	cfgFile := filepath.Join(t.TempDir(), "ssh_config")
	cfg := fmt.Sprintf("Host web1\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  BatchMode yes\n", h.srv.Port, h.srv.User, h.srv.KnownHosts)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	h.cfg.ConfigFile = cfgFile
	r := h.run(t)
	want(t, r, CheckHostKey, OK, "", "")
	want(t, r, CheckAuth, Fail, "", "weblogctl authorize --key")
	want(t, r, CheckServer, Skip, "", "")
}

func TestForcedCommandMissing(t *testing.T) {
	h := startHost(t, setup{program: "/nonexistent/weblog-server"})
	r := h.run(t)
	want(t, r, CheckAuth, OK, "", "")
	want(t, r, CheckServer, Fail, "/nonexistent/weblog-server", "install weblog-server at the path the command= of this key")
	want(t, r, CheckLogs, Skip, "", "")
	if !r.Failed() {
		t.Error("not Failed()")
	}
}

func TestKeyGetsShell(t *testing.T) {
	h := startHost(t, setup{plain: true})
	r := h.run(t)
	want(t, r, CheckServer, Fail, "this key gets a shell, not weblog-server", "weblogctl authorize --key")
	want(t, r, CheckVersion, Skip, "", "")
}

func TestLogNotReadable(t *testing.T) {
	dir := t.TempDir()
	// The account (root here) can read any file, so the unreadable logs
	// are ones weblog-server cannot open: missing, a directory, a file
	// with a second hard link.
	linked := filepath.Join(dir, "linked.log")
	if err := os.WriteFile(linked, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(linked, filepath.Join(dir, "planted")); err != nil {
		t.Fatal(err)
	}
	h := startHost(t, setup{logs: []string{"gone=" + filepath.Join(dir, "gone.log"), "dir=" + dir, "linked=" + linked}})
	r := h.run(t)
	want(t, r, CheckLogs, OK, "this key may read 4: access, gone, dir, linked", "")
	want(t, r, CheckLog+" access", OK, "readable", "")
	for name, says := range map[string][2]string{
		"gone":   {"its file does not exist", "check the path weblog-server was given"},
		"dir":    {"weblog-server refuses its file", "give weblog-server the real path"},
		"linked": {"weblog-server refuses its file", "a hard link to a log can be a planted copy"},
	} {
		want(t, r, CheckLog+" "+name, Fail, "not readable now: "+says[0], says[1])
		want(t, r, CheckFormat+" "+name, Skip, "", "")
	}
	if !r.Failed() {
		t.Error("not Failed()")
	}
}

func TestCopyTruncate(t *testing.T) {
	h := startHost(t, setup{})
	h.logrotate(t, "copytruncate")
	writeLog(t, filepath.Join(h.work, "access.log"), 51, 5)
	r := h.run(t)
	want(t, r, CheckRotation+" access", Warn, "copytruncate (newest: access.log.1): lines written between logrotate's copy and its truncate are lost", "drop copytruncate")
	if r.Failed() {
		t.Error("a warning made the report Failed()")
	}
}

func TestSlowBashrc(t *testing.T) {
	home := t.TempDir()
	// Debian's bash reads ~/.bashrc when sshd runs it for a command, as it
	// does for the forced command; this one takes 300 ms.
	if err := os.WriteFile(filepath.Join(home, ".bashrc"), []byte("sleep 0.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := startHost(t, setup{setEnv: []string{"HOME=" + home}})
	r := h.run(t)
	want(t, r, CheckShell, Warn, "over 100ms", "~/.bashrc")
	res := result(t, r, CheckShell)
	if !strings.Contains(res.Detail, "≈ 3") && !strings.Contains(res.Detail, "≈ 4") {
		t.Errorf("shell: %q: want a cost of about 300 ms", res.Detail)
	}
}

// waitBirthAfter returns once a file created now is born later than path
// (at most a second): file systems stamp times from a coarse clock (ext4:
// one jiffy).
func waitBirthAfter(t *testing.T, path string) {
	t.Helper()
	born := func(p string) int64 {
		var stx unix.Statx_t
		if err := unix.Statx(unix.AT_FDCWD, p, 0, unix.STATX_BTIME, &stx); err != nil || stx.Mask&unix.STATX_BTIME == 0 {
			return -1
		}
		return stx.Btime.Sec*1e9 + int64(stx.Btime.Nsec)
	}
	old := born(path)
	if old < 0 {
		return // no birth times: the rotation check is unknown anyway
	}
	probe := filepath.Join(t.TempDir(), "probe")
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		os.Remove(probe)
		if err := os.WriteFile(probe, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if born(probe) > old {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("the file system's clock did not pass the birth of %s in 1s", path)
}
