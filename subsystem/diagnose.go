package subsystem

import (
	"bytes"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// This file holds what `weblogctl doctor` asks beyond the data verbs: the
// server's clock and age in the version answer, and a log's format and
// rotation style in the stat answer (PROTOCOL.md §3.2).

// versionInfo is the version answer at now of a server of the given
// version whose process started at started (zero: unknown).
func versionInfo(version string, started, now time.Time) wire.VersionInfo {
	v := wire.VersionInfo{Version: version, Protocol: Protocol, Time: now.UTC().Format(time.RFC3339Nano)}
	if !started.IsZero() {
		v.UptimeMicros = max(now.Sub(started).Microseconds(), 1)
	}
	return v
}

// describeLog fills in the format and rotation fields of a stat answer for
// log l, whose live file c is; formats are the configured formats by log
// name.
func describeLog(formats map[string]accesslog.Format, l policy.Log, c *content, info *wire.LogInfo) {
	info.Format, info.FormatSource, info.FormatLines, info.FormatParsed = formatOf(formats[l.Name], c)
	info.Rotation = rotationStyle(l, c.f)
}

// formatOf returns the format of content c (configured, when not the zero
// Format, else detected from its first lines, as filters do), where it
// came from, how many non-empty lines of the sample there were and how
// many of them the format parses whole.
func formatOf(configured accesslog.Format, c *content) (format, source string, lines, parsed int) {
	buf := make([]byte, detectBytes)
	r, err := c.section(0, detectBytes)
	if err != nil {
		return "", "", 0, 0
	}
	n, _ := io.ReadFull(r, buf)
	buf = buf[:n]
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 && n == detectBytes {
		buf = buf[:i+1] // whole lines only
	}
	sample := bytes.SplitAfter(buf, []byte("\n"))
	f, source := configured, "configured"
	if f.IsZero() {
		f, source = accesslog.Detect(sample), "detected"
	}
	p := accesslog.NewParser(f)
	var rec accesslog.Record
	for _, l := range sample {
		if len(bytes.TrimRight(l, "\r\n")) == 0 {
			continue
		}
		lines++
		if !f.IsZero() && p.Parse(l, &rec) == nil && rec.Rest == nil {
			parsed++
		}
	}
	if f.IsZero() {
		return "", source, lines, 0
	}
	return f.Name(), source, lines, parsed
}

// Rotation styles of the stat answer (PROTOCOL.md §3.2).
const (
	rotationNone         = "none"         // no rotated sibling yet
	rotationRename       = "rename"       // rename+create: the live file is newer than the last rotation
	rotationCopyTruncate = "copytruncate" // the live file is older than what was rotated out of it
	rotationUnknown      = "unknown"      // the file system keeps no birth times
)

// renameSlack is how long a writer may keep writing to a renamed log
// before it reopens the new one (nginx after USR1): a rotated file's last
// write may come that much after the live file's birth.
const renameSlack = time.Minute

// rotationStyle tells how l's newest rotated sibling came to be. After
// rename+create the sibling is the previous live file, born before the
// live file, which the rotation created. After copytruncate the sibling is
// a copy, born after the live file, which is the same old file. A
// compressed sibling was born when it was compressed, so for it the test
// is its mtime (gzip keeps the original's): after copytruncate the live
// file was born long before the copied bytes were last written.
func rotationStyle(l policy.Log, live *os.File) string {
	sibs, err := l.Siblings()
	if err != nil || len(sibs) == 0 {
		return rotationNone
	}
	liveBorn, ok := birthTime(live)
	if !ok {
		return rotationUnknown
	}
	f, err := l.OpenRelated(sibs[0])
	if err != nil {
		return rotationUnknown
	}
	defer f.Close()
	copied := false
	if strings.HasSuffix(sibs[0], ".gz") {
		st, err := f.Stat()
		if err != nil {
			return rotationUnknown
		}
		copied = liveBorn.Add(renameSlack).Before(st.ModTime())
	} else {
		sibBorn, ok := birthTime(f)
		if !ok || sibBorn.Equal(liveBorn) {
			return rotationUnknown // born in the same clock tick: cannot tell
		}
		copied = sibBorn.After(liveBorn)
	}
	if copied {
		return rotationCopyTruncate
	}
	return rotationRename
}

// birthTime returns the creation time of the open file f, where the file
// system records one (statx STATX_BTIME).
func birthTime(f *os.File) (time.Time, bool) {
	var stx unix.Statx_t
	if err := unix.Statx(int(f.Fd()), "", unix.AT_EMPTY_PATH, unix.STATX_BTIME, &stx); err != nil || stx.Mask&unix.STATX_BTIME == 0 {
		return time.Time{}, false
	}
	return time.Unix(stx.Btime.Sec, int64(stx.Btime.Nsec)), true
}
