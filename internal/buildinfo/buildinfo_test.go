package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-12-03T12:00:00Z"},
			{Key: "vcs.modified", Value: modified},
		}
	}
	for _, tc := range []struct {
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"v1.2.3", nil, "v1.2.3"}, // go install …@v1.2.3
		{"", nil, "devel"},        // no module version at all
		{"(devel)", nil, "devel"}, // go build outside git
		{"(devel)", vcs("false"), "devel (rev 0123456789ab, 2026-12-03T12:00:00Z)"}, // go build -buildvcs=true
		{"(devel)", vcs("true"), "devel (rev 0123456789ab, 2026-12-03T12:00:00Z, dirty)"},
		{"v0.0.0-20261203120000-0123456789ab", vcs("false"), "v0.0.0-20261203120000-0123456789ab"}, // stamped from git
		{"v0.0.0-20261203120000-0123456789ab+dirty", vcs("true"), "v0.0.0-20261203120000-0123456789ab+dirty"},
		{"v1.2.3", vcs("false"), "v1.2.3 (rev 0123456789ab, 2026-12-03T12:00:00Z)"}, // tag: the revision is still useful
	} {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/weblogctl/weblogctl", Version: tc.version}, Settings: tc.settings}
		if got := Describe(bi); got != tc.want {
			t.Errorf("Describe(%q, %v) = %q, want %q", tc.version, tc.settings, got, tc.want)
		}
	}
}

func TestVersion(t *testing.T) {
	if got := Version("v9.9.9-linked"); got != "v9.9.9-linked" {
		t.Errorf("Version(override) = %q, want the override", got)
	}
	// A test binary has build information; its main module is this one.
	got := Version("")
	if got == "" || got == "unknown" || strings.ContainsAny(got, "\n") {
		t.Errorf("Version(\"\") = %q, want a one-line description", got)
	}
}
