package redact

import (
	"bytes"

	"github.com/weblogctl/weblogctl/accesslog"
)

// textFormats are the text formats whose fields the Redactor locates, the
// more specific first: a combined line also parses as common (with the
// referrer and user agent left over in Record.Rest).
func textFormats() []accesslog.Format {
	return []accesslog.Format{
		accesslog.VHostCombined(),
		accesslog.NginxMain(),
		accesslog.Combined(),
		accesslog.Common(),
	}
}

// textEdits appends the edits for the fields of a text log line that
// only parsing can find. It reports whether the line parsed.
func (r *Redactor) textEdits(edits []edit, line []byte) ([]edit, bool) {
	// Every built-in format has the time before the quoted request; a
	// line without that is not tried (a failed parse allocates its error).
	if r.custom == nil && !bytes.Contains(line, []byte(`] "`)) {
		return edits, false
	}
	rec := &r.rec
	// whole parses line with p into rec. A partial record (a line cut
	// short, or a shorter format's line) does not count: the cut field
	// cannot be located, and a more specific format would win over the
	// right one.
	whole := func(p *accesslog.Parser) bool { return p.Parse(line, rec) == nil && !rec.Partial }
	if r.custom != nil && whole(r.custom) {
		return r.recordEdits(edits, line), true
	}
	ok := false
	if r.last >= 0 && whole(r.parsers[r.last]) {
		ok = true
		if rec.Rest != nil {
			// A more specific format may take the fields left over.
			for i := 0; i < r.last; i++ {
				if whole(r.parsers[i]) {
					r.last = i
					return r.recordEdits(edits, line), true
				}
			}
			r.parsers[r.last].Parse(line, rec)
		}
	} else {
		for i, p := range r.parsers {
			if i != r.last && whole(p) {
				r.last, ok = i, true
				break
			}
		}
	}
	if !ok {
		return edits, false
	}
	return r.recordEdits(edits, line), true
}

// recordEdits appends the edits for the fields of r.rec, just parsed
// from line.
func (r *Redactor) recordEdits(edits []edit, line []byte) []edit {
	rec := &r.rec
	if r.ip && !isAddrText(rec.RemoteAddr) {
		edits = addEdit(edits, line, rec.RemoteAddr, "-")
	}
	if r.user {
		edits = addEdit(edits, line, rec.Ident, "-")
		edits = addEdit(edits, line, rec.User, "-")
	}
	if r.ua && len(rec.UserAgent) > 0 {
		edits = addEdit(edits, line, rec.UserAgent, "-")
	}
	return edits
}

// isAddrText reports whether a client address field holds an address
// (maybe with a port or brackets) rather than a host name: only address
// bytes and brackets. Addresses are masked by scrub; host names are not.
func isAddrText(b []byte) bool {
	for _, c := range b {
		if !addrByte(c) && c != '[' && c != ']' {
			return false
		}
	}
	return true
}
