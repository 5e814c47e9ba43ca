package doctor

// Verdict is the outcome of one check.
type Verdict int

// The verdicts, from best to worst; Skip and Unknown are neither good nor
// bad.
const (
	// OK: the check passed.
	OK Verdict = iota
	// Skip: not checked, because an earlier check failed.
	Skip
	// Unknown: the server cannot tell (an older weblog-server, a verb
	// this key may not use, a file system without birth times).
	Unknown
	// Warn: works, but something should be fixed.
	Warn
	// Fail: this does not work.
	Fail
)

// String returns the verdict as printed: ok, skip, unknown, WARN, FAIL.
func (v Verdict) String() string {
	switch v {
	case OK:
		return "ok"
	case Skip:
		return "skip"
	case Unknown:
		return "unknown"
	case Warn:
		return "WARN"
	}
	return "FAIL"
}

// Check names, in the order Run reports them. The per-log checks are
// named CheckLog, CheckFormat and CheckRotation followed by a space and
// the log's name.
const (
	CheckReach    = "reach"
	CheckHostKey  = "hostkey"
	CheckAuth     = "auth"
	CheckServer   = "server"
	CheckVersion  = "version"
	CheckLogs     = "logs"
	CheckLog      = "log"
	CheckFormat   = "format"
	CheckRotation = "rotation"
	CheckClock    = "clock"
	CheckShell    = "shell"
)

// Result is the outcome of one check.
type Result struct {
	// Check is the check's name (CheckReach, "log access", …).
	Check string
	// Verdict is its outcome.
	Verdict Verdict
	// Detail says what was seen.
	Detail string
	// Hint says what to do about a Warn or Fail; "" when nothing.
	Hint string
}

// Report is every check's result for one host.
type Report struct {
	// Host is the host as given to Run.
	Host string
	// Results are in check order.
	Results []Result
}

// Failed reports whether some check failed.
func (r Report) Failed() bool { return r.Worst() == Fail }

// Worst returns the worst verdict of the report (OK for none).
func (r Report) Worst() Verdict {
	w := OK
	for _, res := range r.Results {
		w = max(w, res.Verdict)
	}
	return w
}

// Count returns how many results have verdict v.
func (r Report) Count(v Verdict) int {
	n := 0
	for _, res := range r.Results {
		if res.Verdict == v {
			n++
		}
	}
	return n
}

func (r *Report) add(check string, v Verdict, detail, hint string) {
	r.Results = append(r.Results, Result{Check: check, Verdict: v, Detail: detail, Hint: hint})
}

// skip records checks that cannot run because of an earlier failure.
func (r *Report) skip(why string, checks ...string) {
	for _, c := range checks {
		r.add(c, Skip, why, "")
	}
}
