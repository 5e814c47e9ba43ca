// Package buildinfo describes the running binary's version from the build
// information the Go toolchain records in every binary (runtime/debug), so
// neither a release nor `go install …@latest` needs manual edits or
// -ldflags to say which code it is.
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// Version describes the running binary: override (set at link time with
// -ldflags "-X main.Version=…") when it is not empty, else the module
// version and VCS revision from the build information.
func Version(override string) string {
	if override != "" {
		return override
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return Describe(bi)
}

// Describe turns build information into one short line: the main module's
// version ("v1.2.3", a pseudo-version, or "devel" for a plain `go build`
// outside version control), then the revision, commit time and "dirty"
// flag when the build recorded them and the version does not already say
// them. Examples: "v1.2.3", "v0.0.0-20261203120000-0123456789ab",
// "devel (rev 0123456789ab, 2026-12-03T12:00:00Z, dirty)".
func Describe(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	var extra []string
	if rev != "" && !strings.Contains(v, rev) {
		extra = append(extra, "rev "+rev)
		if at != "" {
			extra = append(extra, at)
		}
	}
	if dirty && !strings.Contains(v, "dirty") {
		extra = append(extra, "dirty")
	}
	if len(extra) == 0 {
		return v
	}
	return fmt.Sprintf("%s (%s)", v, strings.Join(extra, ", "))
}
