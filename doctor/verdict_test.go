package doctor

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/wire"
)

// An older weblog-server answers without the fields doctor needs: those
// checks are Unknown, never a guess.
func TestOldServerUnknown(t *testing.T) {
	var r Report
	old := versionSample{info: wire.VersionInfo{Version: "v0.1.0", Protocol: 1}, sent: time.Now(), got: time.Now().Add(5 * time.Millisecond)}
	checkClock(&r, old)
	checkShell(&r, old, time.Millisecond, client.DeliveryExec, "www")
	checkFormat(&r, "access", wire.LogInfo{Name: "access", Size: 10})
	checkRotation(&r, "access", wire.LogInfo{Name: "access", Size: 10}, nil)
	for _, res := range r.Results {
		if res.Verdict != Unknown {
			t.Errorf("%s: %v %q, want unknown", res.Check, res.Verdict, res.Detail)
		}
	}
	if len(r.Results) != 4 || r.Failed() {
		t.Errorf("results %v", r.Results)
	}
}

func TestVersionVerdicts(t *testing.T) {
	tests := []struct {
		theirs wire.VersionInfo
		ours   string
		want   Verdict
	}{
		{wire.VersionInfo{Version: "v1.2.0", Protocol: 1}, "v1.2.0", OK},
		{wire.VersionInfo{Version: "dev", Protocol: 1}, "v1.2.0", OK},
		{wire.VersionInfo{Version: "v1.1.0", Protocol: 1}, "v1.2.0", Warn},
		{wire.VersionInfo{Version: "v2.0.0", Protocol: 2}, "v1.2.0", Fail},
	}
	for _, tt := range tests {
		var r Report
		checkVersion(&r, tt.theirs, tt.ours)
		if got := r.Results[0]; got.Verdict != tt.want {
			t.Errorf("checkVersion(%+v, %q) = %v (%s), want %v", tt.theirs, tt.ours, got.Verdict, got.Detail, tt.want)
		}
	}
}

func TestClockAndShellVerdicts(t *testing.T) {
	now := time.Now()
	at := func(skew time.Duration, took time.Duration, uptime time.Duration) versionSample {
		return versionSample{
			info: wire.VersionInfo{Protocol: 1, Time: now.Add(took / 2).Add(skew).UTC().Format(time.RFC3339Nano), UptimeMicros: uptime.Microseconds()},
			sent: now, got: now.Add(took),
		}
	}
	tests := []struct {
		name         string
		s            versionSample
		clock, shell Verdict
	}{
		{"in sync, quick shell", at(10*time.Millisecond, 40*time.Millisecond, 5*time.Millisecond), OK, OK},
		{"host 1 min ahead", at(time.Minute, 40*time.Millisecond, 5*time.Millisecond), Warn, OK},
		{"host 1 min behind", at(-time.Minute, 40*time.Millisecond, 5*time.Millisecond), Warn, OK},
		{"slow shell", at(0, 600*time.Millisecond, 5*time.Millisecond), OK, Warn},
		{"embedded server", at(0, 10*time.Millisecond, time.Hour), OK, OK},
	}
	for _, tt := range tests {
		var r Report
		checkClock(&r, tt.s)
		checkShell(&r, tt.s, time.Millisecond, client.DeliveryExec, "www")
		if r.Results[0].Verdict != tt.clock || r.Results[1].Verdict != tt.shell {
			t.Errorf("%s: clock %v (%s), shell %v (%s); want %v, %v", tt.name, r.Results[0].Verdict, r.Results[0].Detail, r.Results[1].Verdict, r.Results[1].Detail, tt.clock, tt.shell)
		}
	}
}

func TestFormatVerdicts(t *testing.T) {
	tests := []struct {
		info wire.LogInfo
		want Verdict
	}{
		{wire.LogInfo{Format: "combined", FormatSource: "detected", FormatLines: 40, FormatParsed: 40}, OK},
		{wire.LogInfo{Format: "combined", FormatSource: "detected", FormatLines: 40, FormatParsed: 35}, Warn},
		{wire.LogInfo{FormatSource: "detected", FormatLines: 40}, Warn},
		{wire.LogInfo{FormatSource: "detected"}, OK},
		{wire.LogInfo{Format: "custom", FormatSource: "configured", FormatLines: 3, FormatParsed: 3}, OK},
	}
	for _, tt := range tests {
		var r Report
		checkFormat(&r, "access", tt.info)
		res := r.Results[0]
		if res.Verdict != tt.want {
			t.Errorf("checkFormat(%+v) = %v (%s), want %v", tt.info, res.Verdict, res.Detail, tt.want)
		}
		if res.Verdict == Warn && !strings.Contains(res.Hint, "--log-format access=") {
			t.Errorf("checkFormat(%+v): hint %q names no --log-format", tt.info, res.Hint)
		}
	}
}

func TestWriteTable(t *testing.T) {
	good := Report{Host: "web1"}
	good.add(CheckReach, OK, "fine", "")
	good.add(CheckLog+" access", OK, "readable", "")
	good.add(CheckLog+" error", OK, "readable", "")
	bad := Report{Host: "web2\x1b[31m"}
	bad.add(CheckReach, OK, "fine", "")
	bad.add(CheckLog+" access", OK, "readable", "")
	bad.add(CheckLog+" error", Fail, "not readable now", "fix it")
	var b bytes.Buffer
	if err := WriteTable(&b, []Report{good, bad}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("table:\n%s\nwant a header, two rows and one problem line", out)
	}
	if f := strings.Fields(lines[0]); f[0] != "HOST" || f[1] != "REACH" || f[7] != "LOG" {
		t.Errorf("header %q", lines[0])
	}
	// Per-log checks fold into one column, holding the worst.
	if f := strings.Fields(lines[1]); f[0] != "web1" || f[1] != "ok" || f[7] != "ok" || f[2] != "-" {
		t.Errorf("row %q", lines[1])
	}
	if f := strings.Fields(lines[2]); f[7] != "FAIL" {
		t.Errorf("row %q: want FAIL in LOG", lines[2])
	}
	if strings.ContainsRune(out, '\x1b') {
		t.Errorf("table holds an escape byte:\n%q", out)
	}
	if !strings.Contains(lines[3], "log error: FAIL not readable now — fix: fix it") {
		t.Errorf("problem line %q", lines[3])
	}
}

// TestNotReadableOldServer: a server that does not say why (no
// "unreadable" key) gets the hint that covers every cause.
func TestNotReadableOldServer(t *testing.T) {
	verdict, hint := notReadable("", "www")
	for _, s := range []string{"usermod -aG adm www", "setfacl -m u:www:r PATH", "check that the file exists", "--trust-symlinks"} {
		if !strings.Contains(hint, s) {
			t.Errorf("hint %q does not say %q", hint, s)
		}
	}
	if !strings.Contains(verdict, "cannot open its file") {
		t.Errorf("verdict %q", verdict)
	}
}
