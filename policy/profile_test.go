package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestProfileFromFlags(t *testing.T) {
	p, err := ProfileFromFlags(Values{
		"log":          {"access=/var/log/nginx/access.log", "err=/var/log/a,b/error.log"},
		"verbs":        {"follow,filter", "ls"},
		"redact":       {"ip, query"},
		"max-bytes":    {"5", "1000"}, // the last counts
		"max-follow":   {"1h"},
		"max-sessions": {"4"},
		"idle-timeout": {"10m0s"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &Profile{
		Name:        DefaultProfile,
		Logs:        []Log{{"access", "/var/log/nginx/access.log"}, {"err", "/var/log/a,b/error.log"}},
		Verbs:       []string{"follow", "filter", "ls"},
		Redact:      []string{"ip", "query"},
		MaxBytes:    1000,
		MaxFollow:   time.Hour,
		MaxSessions: 4,
		IdleTimeout: 10 * time.Minute,
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("ProfileFromFlags = %+v, want %+v", p, want)
	}
	wantArgs := []string{"--log", "access=/var/log/nginx/access.log", "--log", "err=/var/log/a,b/error.log",
		"--verbs", "follow,filter,ls", "--redact", "ip,query", "--max-bytes", "1000", "--max-follow", "1h",
		"--max-sessions", "4", "--idle-timeout", "10m"}
	if got := p.Args(); !reflect.DeepEqual(got, wantArgs) {
		t.Errorf("Args = %q, want %q", got, wantArgs)
	}
	if again := fromArgs(t, p.Args()); !reflect.DeepEqual(again, p) {
		t.Errorf("ProfileFromFlags(Args) = %+v, want %+v", again, p)
	}
}

// fromArgs parses weblog-server flags as Args renders them.
func fromArgs(t *testing.T, args []string) *Profile {
	t.Helper()
	v, err := ParseArgs(args)
	if err != nil {
		t.Fatalf("ParseArgs(%q): %v", args, err)
	}
	p, err := ProfileFromFlags(v)
	if err != nil {
		t.Fatalf("ProfileFromFlags(%q): %v", args, err)
	}
	return p
}

func TestProfileFromFlagsErrors(t *testing.T) {
	ok := []string{"access=/a.log"}
	for _, f := range []Values{
		{},
		{"log": {"access=relative.log"}},
		{"log": {"access=/a", "access=/b"}},
		{"log": ok, "profile": {"../x"}},
		{"log": ok, "profile": {strings.Repeat("a", 65)}},
		{"log": ok, "verbs": {"rm"}},
		{"log": ok, "verbs": {"cat,cat"}},
		{"log": ok, "verbs": {"cat,"}},
		{"log": ok, "verbs": {""}},
		{"log": ok, "verbs": {"CAT"}},
		{"log": ok, "redact": {"cookies"}},
		{"log": ok, "max-bytes": {"-1"}},
		{"log": ok, "max-bytes": {"1G"}},
		{"log": ok, "max-follow": {"-1s"}},
		{"log": ok, "max-follow": {"3600"}},
		{"log": ok, "max-sessions": {"-1"}},
		{"log": ok, "max-sessions": {"99999999999999999999"}},
		{"log": ok, "idle-timeout": {"-1s"}},
		{"log": ok, "log-format": {"access"}},
		{"log": ok, "log-format": {"other=combined"}},
		{"log": ok, "trust-symlinks": {"maybe"}},
	} {
		if p, err := ProfileFromFlags(f); err == nil {
			t.Errorf("ProfileFromFlags(%+v) = %+v, want an error", f, p)
		}
	}
}

func TestAllows(t *testing.T) {
	all := &Profile{Name: "a", Logs: []Log{{"x", "/x"}}}
	some := &Profile{Name: "s", Logs: []Log{{"x", "/x"}}, Verbs: []string{"follow", "filter"}}
	for _, v := range ReadVerbs() {
		if !all.Allows(v) {
			t.Errorf("default profile refuses %s", v)
		}
	}
	for v, want := range map[string]bool{"version": true, "follow": true, "filter": true, "cat": false, "ls": false, "stat": false, "": false, "Follow": false} {
		if got := some.Allows(v); got != want {
			t.Errorf("Allows(%q) = %v, want %v", v, got, want)
		}
	}
	var zero *Profile
	if zero.Allows("version") || zero.Allows("cat") {
		t.Error("nil profile allows something")
	}
	if all.Allows("rm") {
		t.Error("default profile allows rm")
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1h", 10 * time.Minute: "10m", 90 * time.Second: "1m30s", 90 * time.Minute: "1h30m",
		time.Hour + time.Second: "1h0m1s", 1500 * time.Millisecond: "1.5s", 0: "0s",
	} {
		got := FormatDuration(d)
		if got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := time.ParseDuration(got); err != nil || back != d {
			t.Errorf("ParseDuration(%q) = %v, %v", got, back, err)
		}
	}
}

func TestPolicyTrustSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real", "access.log")
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "access.log")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	p := &Profile{Name: "a", Logs: []Log{{"access", link}, {"missing", filepath.Join(dir, "missing")}}}
	pol, err := p.Policy()
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := pol.Lookup("access"); l.Path != link {
		t.Errorf("untrusted symlink resolved to %s", l.Path)
	}
	if f, err := pol.Logs[0].Open(); err == nil {
		f.Close()
		t.Error("untrusted symlinked log opened")
	}
	p.TrustSymlinks = true
	if pol, err = p.Policy(); err != nil {
		t.Fatal(err)
	}
	f, err := pol.Logs[0].Open()
	if err != nil {
		t.Fatalf("trusted symlinked log: %v", err)
	}
	f.Close()
	if pol.Logs[1].Path != filepath.Join(dir, "missing") {
		t.Errorf("missing log path changed to %s", pol.Logs[1].Path)
	}
	if p.Logs[0].Path != link {
		t.Error("Policy changed the profile")
	}
}

func ExampleProfileFromFlags() {
	p, err := ProfileFromFlags(Values{
		"profile": {"alice"},
		"log":     {"access=/var/log/nginx/access.log"},
		"verbs":   {"follow,filter"},
		"redact":  {"ip,query"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Allows("follow"), p.Allows("cat"), p.Allows("version"))
	fmt.Println(p.Args())
	// Output:
	// true false true
	// [--log access=/var/log/nginx/access.log --verbs follow,filter --redact ip,query]
}

// TestLogFormats: a profile's log formats come from the policy file or
// from --log-format, must name its logs and be valid formats, and survive
// Args.
func TestLogFormats(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.toml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`[profiles.a]
logs = { access = "/var/log/a.log" }
log_formats = { access = '$remote_addr [$time_local] "$request" $status' }
`)
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.Profile("a")
	if err != nil || p.LogFormats["access"] == "" {
		t.Fatalf("Profile = %+v, %v", p, err)
	}
	again, err := ProfileFromFlags(Values{"profile": {"a"}, "log": {"access=/var/log/a.log"}, "log-format": {"access=" + p.LogFormats["access"]}})
	if err != nil || again.LogFormats["access"] != p.LogFormats["access"] || !slices.Contains(again.Args(), "access="+p.LogFormats["access"]) {
		t.Fatalf("from flags: %+v, %v", again, err)
	}
	for _, bad := range []string{
		"[profiles.a]\nlogs = { access = \"/a\" }\nlog_formats = { other = \"combined\" }\n",
		"[profiles.a]\nlogs = { access = \"/a\" }\nlog_formats = { access = \"%Z\" }\n",
	} {
		write(bad)
		if _, err := LoadFile(path); err == nil {
			t.Errorf("LoadFile accepted %q", bad)
		}
	}
}
