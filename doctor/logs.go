package doctor

import (
	"context"
	"errors"
	"fmt"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/wire"
)

// checkLogs lists the logs this key may read and checks each: readable
// now, its format, its rotation style.
func checkLogs(ctx context.Context, r *Report, wc *client.Client, user string) {
	logs, err := wc.List(ctx)
	var re *wire.Error
	switch {
	case errors.As(err, &re) && re.Status == wire.StatusUnavailable:
		r.add(CheckLogs, Unknown, "this key may not list its logs (ls is not among its --verbs)", "")
		return
	case err != nil:
		r.add(CheckLogs, Fail, "ls: "+err.Error(), "")
		return
	case len(logs) == 0:
		r.add(CheckLogs, Fail, "weblog-server names no logs for this key", "give weblog-server a --log NAME=PATH (or a profile with logs in its policy file)")
		return
	}
	names := ""
	for i, l := range logs {
		if i > 0 {
			names += ", "
		}
		names += wire.Sanitize(l.Name)
	}
	r.add(CheckLogs, OK, fmt.Sprintf("this key may read %d: %s", len(logs), names), "")
	for _, l := range logs {
		name := wire.Sanitize(l.Name)
		if wire.CheckLogName(l.Name) != nil {
			r.add(CheckLog+" "+name, Fail, "the server sent an invalid log name", "")
			continue
		}
		if l.Size < 0 {
			why, hint := notReadable(l.Unreadable, user)
			r.add(CheckLog+" "+name, Fail, why, hint)
			r.skip("not readable", CheckFormat+" "+name, CheckRotation+" "+name)
			continue
		}
		r.add(CheckLog+" "+name, OK, fmt.Sprintf("readable: %d bytes, modified %s, %d rotated files", l.Size, wire.Sanitize(l.MTime), len(l.Rotated)), "")
		info, err := wc.Stat(ctx, l.Name)
		if err != nil {
			why := "stat: " + err.Error()
			if errors.As(err, &re) && re.Status == wire.StatusUnavailable {
				why = "this key may not stat its logs (stat is not among its --verbs)"
			}
			r.add(CheckFormat+" "+name, Unknown, why, "")
			r.add(CheckRotation+" "+name, Unknown, why, "")
			continue
		}
		checkFormat(r, name, info)
		checkRotation(r, name, info, l.Rotated)
	}
}

// notReadable is the verdict and the hint for a log whose file
// weblog-server, logged in as user, could not open; why is the server's
// reason (wire.LogInfo.Unreadable), "" from servers that do not say.
func notReadable(why, user string) (verdict, hint string) {
	perm := fmt.Sprintf("to let %s read it: usermod -aG adm %s (Debian's nginx and Apache logs are group adm), or setfacl -m u:%s:r PATH (and u:%s:x on its directories); check with sudo -u %s head -c1 PATH", user, user, user, user, user)
	switch why {
	case "missing":
		return "not readable now: its file does not exist",
			"on the host, check the path weblog-server was given for it (--log NAME=PATH or the policy file): the web server may log elsewhere, or not have written it yet"
	case "permission":
		return fmt.Sprintf("not readable now: the account %s may not read its file (permission denied)", user), perm
	case "refused":
		return "not readable now: weblog-server refuses its file (a symlink, not a regular file, or a file with several hard links)",
			"give weblog-server the real path of the log (or --trust-symlinks for a symlink you control); a hard link to a log can be a planted copy of another file, so it is never read"
	}
	return "not readable now: weblog-server cannot open its file",
		fmt.Sprintf("on the host, check that the file exists and that %s can read it; %s; weblog-server also refuses a symlink (unless --trust-symlinks) and a file with several hard links", user, perm)
}

// checkFormat judges the log's format as the server detected it.
func checkFormat(r *Report, name string, info wire.LogInfo) {
	check := CheckFormat + " " + name
	format, source := wire.Sanitize(info.Format), wire.Sanitize(info.FormatSource)
	hint := fmt.Sprintf("tell weblog-server the format: --log-format %s=FORMAT (the log's nginx log_format or Apache LogFormat string)", name)
	switch {
	case source == "":
		r.add(check, Unknown, "this weblog-server does not report formats", "upgrade weblog-server to see the detected format")
	case info.FormatLines == 0:
		r.add(check, OK, "the log is empty: its format is detected from its first lines", "")
	case format == "":
		r.add(check, Warn, fmt.Sprintf("no known format fits its first %d lines: filters on fields match nothing, and lines are shown raw", info.FormatLines), hint)
	case float64(info.FormatParsed) < MinFormatShare*float64(info.FormatLines):
		r.add(check, Warn, fmt.Sprintf("%s (%s) but unsure: only %d of its first %d lines parse", format, source, info.FormatParsed, info.FormatLines), hint)
	default:
		r.add(check, OK, fmt.Sprintf("%s (%s; %d of its first %d lines parse)", format, source, info.FormatParsed, info.FormatLines), "")
	}
}

// checkRotation judges how the log is rotated.
func checkRotation(r *Report, name string, info wire.LogInfo, rotated []wire.RotatedInfo) {
	check := CheckRotation + " " + name
	newest := ""
	if len(rotated) > 0 {
		newest = " (newest: " + wire.Sanitize(rotated[0].File) + ")"
	}
	switch info.Rotation {
	case "":
		r.add(check, Unknown, "this weblog-server does not report rotation", "upgrade weblog-server to see how the log is rotated")
	case "none":
		r.add(check, OK, "no rotated files yet", "")
	case "rename":
		r.add(check, OK, "rename+create"+newest, "")
	case "copytruncate":
		r.add(check, Warn, "copytruncate"+newest+": lines written between logrotate's copy and its truncate are lost (by logrotate, for every reader), and a follower must find its place again in the copy",
			"rotate by rename+create instead: drop copytruncate from the logrotate stanza, keep create, and have the web server reopen its log in postrotate (nginx: kill -USR1 the master; Apache: apachectl graceful)")
	case "unknown":
		r.add(check, Unknown, "cannot tell: the host's file system records no creation times, or the files were made in the same clock tick"+newest, "")
	default:
		r.add(check, Unknown, fmt.Sprintf("weblog-server reports %q", wire.Sanitize(info.Rotation)), "")
	}
}
