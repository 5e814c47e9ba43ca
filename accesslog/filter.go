package accesslog

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
)

// maxProgSize bounds the compiled size of one regular expression, in RE2
// instructions; together with MaxValueLen it bounds per-line matching work.
const maxProgSize = 10000

// Filter is a compiled [FilterSpec]. Its methods do not allocate and are
// safe for concurrent use.
type Filter struct {
	status, notStatus *statusSet
	methods           [][]byte
	notMethods        [][]byte
	ips, notIPs       []netip.Prefix
	since, until      time.Time
	hasReferrer       bool
	path, notPath     *regexp.Regexp
	ref, notRef       *regexp.Regexp
	ua, notUA         *regexp.Regexp
	grep, notGrep     *regexp.Regexp
	untilPath         []byte
	needRecord        bool
	needs             fieldSet // the fields the criteria look at
}

// Compile validates spec and compiles it into a Filter. now anchors
// --since and --until given as durations: "2h" means now minus two hours.
// Errors are [*FilterError]s naming the option.
func Compile(spec FilterSpec, now time.Time) (*Filter, error) {
	f := &Filter{hasReferrer: spec.HasReferrer}
	var err error
	wrap := func(name, value string, e error) error {
		if e == nil {
			return nil
		}
		return &FilterError{Option: name, Value: value, Err: e}
	}
	for _, o := range options() {
		if o.kind == optBool {
			continue
		}
		if v := *o.ptr(&spec); v != "" {
			if err := checkValue(v); err != nil {
				return nil, wrap(o.Name, v, err)
			}
		}
	}
	if spec.Status != "" {
		if f.status, err = parseStatusSet(spec.Status); err != nil {
			return nil, wrap("status", spec.Status, err)
		}
	}
	if spec.NotStatus != "" {
		if f.notStatus, err = parseStatusSet(spec.NotStatus); err != nil {
			return nil, wrap("not-status", spec.NotStatus, err)
		}
	}
	if f.methods, err = parseMethods(spec.Method); err != nil {
		return nil, wrap("method", spec.Method, err)
	}
	if f.notMethods, err = parseMethods(spec.NotMethod); err != nil {
		return nil, wrap("not-method", spec.NotMethod, err)
	}
	if f.ips, err = parsePrefixes(spec.IP); err != nil {
		return nil, wrap("ip", spec.IP, err)
	}
	if f.notIPs, err = parsePrefixes(spec.NotIP); err != nil {
		return nil, wrap("not-ip", spec.NotIP, err)
	}
	for _, r := range []struct {
		name, v string
		dst     **regexp.Regexp
	}{
		{"path", spec.Path, &f.path}, {"not-path", spec.NotPath, &f.notPath},
		{"referrer", spec.Referrer, &f.ref}, {"not-referrer", spec.NotReferrer, &f.notRef},
		{"ua", spec.UA, &f.ua}, {"not-ua", spec.NotUA, &f.notUA},
		{"grep", spec.Grep, &f.grep}, {"not-grep", spec.NotGrep, &f.notGrep},
	} {
		if *r.dst, err = compileRE(r.v); err != nil {
			return nil, wrap(r.name, r.v, err)
		}
	}
	if spec.Since != "" {
		if f.since, err = parseWhen(spec.Since, now); err != nil {
			return nil, wrap("since", spec.Since, err)
		}
	}
	if spec.Until != "" {
		if f.until, err = parseWhen(spec.Until, now); err != nil {
			return nil, wrap("until", spec.Until, err)
		}
		if !f.since.IsZero() && !f.since.Before(f.until) {
			return nil, wrap("until", spec.Until, errors.New("not after --since: the range [since, until) is empty"))
		}
	}
	if spec.UntilPath != "" {
		f.untilPath = []byte(spec.UntilPath)
	}
	f.needRecord = f.status != nil || f.notStatus != nil || f.methods != nil || f.notMethods != nil ||
		f.ips != nil || f.notIPs != nil || !f.since.IsZero() || !f.until.IsZero() || f.hasReferrer ||
		f.path != nil || f.notPath != nil || f.ref != nil || f.notRef != nil || f.ua != nil || f.notUA != nil
	for _, n := range []struct {
		on   bool
		lost fieldSet
	}{
		{f.status != nil || f.notStatus != nil, lostStatus},
		{f.methods != nil || f.notMethods != nil, lostMethod},
		{f.ips != nil || f.notIPs != nil, lostAddr},
		{!f.since.IsZero() || !f.until.IsZero(), lostTime},
		{f.hasReferrer || f.ref != nil || f.notRef != nil, lostReferrer},
		{f.path != nil || f.notPath != nil, lostPath},
		{f.ua != nil || f.notUA != nil, lostUA},
	} {
		if n.on {
			f.needs |= n.lost
		}
	}
	return f, nil
}

// compileRE compiles an RE2 expression of bounded size; "" gives nil.
func compileRE(v string) (*regexp.Regexp, error) {
	if v == "" {
		return nil, nil
	}
	re, err := syntax.Parse(v, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("bad regular expression: %w", err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, fmt.Errorf("bad regular expression: %w", err)
	}
	if len(prog.Inst) > maxProgSize {
		return nil, errors.New("regular expression too complex")
	}
	return regexp.Compile(v)
}

func parseMethods(v string) ([][]byte, error) {
	if v == "" {
		return nil, nil
	}
	items := strings.Split(v, ",")
	if len(items) > MaxListItems {
		return nil, errors.New("too many items")
	}
	var out [][]byte
	for _, it := range items {
		it = strings.TrimSpace(it)
		if !isToken([]byte(it)) {
			return nil, errors.New("bad method " + quoteItem(it))
		}
		out = append(out, []byte(it))
	}
	return out, nil
}

func parsePrefixes(v string) ([]netip.Prefix, error) {
	if v == "" {
		return nil, nil
	}
	items := strings.Split(v, ",")
	if len(items) > MaxListItems {
		return nil, errors.New("too many items")
	}
	var out []netip.Prefix
	for _, it := range items {
		it = strings.TrimSpace(it)
		var p netip.Prefix
		if strings.Contains(it, "%") {
			return nil, errors.New("zones are not supported: " + quoteItem(it))
		}
		if strings.Contains(it, "/") {
			var err error
			if p, err = netip.ParsePrefix(it); err != nil {
				return nil, errors.New("bad CIDR " + quoteItem(it))
			}
		} else {
			a, err := netip.ParseAddr(it)
			if err != nil {
				return nil, errors.New("bad address " + quoteItem(it))
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseWhen parses an RFC 3339 time, a date (midnight UTC), or a duration
// before now (Go syntax such as 2h or 90m, or whole days such as 7d).
func parseWhen(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok && days != "" && allDigits([]byte(days)) {
		n, err := strconv.Atoi(days)
		if err != nil || n > 100000 {
			return time.Time{}, errors.New("too many days")
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return time.Time{}, errors.New("want an RFC 3339 time (2015-05-17T10:00:00Z), a date (2015-05-17) or a duration (2h, 7d)")
		}
	}
	if d < 0 {
		return time.Time{}, errors.New("negative duration")
	}
	return now.Add(-d), nil
}

// NeedsRecord reports whether Match looks at parsed fields. When it does
// not, a caller may skip parsing and pass a nil Record.
func (f *Filter) NeedsRecord() bool {
	return f.needRecord || f.untilPath != nil
}

// Match reports whether a line is selected. rec and parseErr are the
// results of parsing line. A line that did not parse (parseErr != nil)
// matches only if the filter has no criterion that needs a parsed field,
// that is, only --grep and --not-grep, which see the raw line without its
// trailing newline. A partial record (see [Record.Partial]) matches only
// if no criterion needs a field that its line lost. --until-path plays
// no part here; see [Filter.Stops].
func (f *Filter) Match(line []byte, rec *Record, parseErr error) bool {
	if f.needRecord {
		if parseErr != nil || rec == nil || rec.Partial && rec.lost&f.needs != 0 {
			return false
		}
		if f.status != nil && !f.status.has(rec.Status) ||
			f.notStatus != nil && f.notStatus.has(rec.Status) {
			return false
		}
		if f.methods != nil && !hasMethod(f.methods, rec.Method) ||
			f.notMethods != nil && hasMethod(f.notMethods, rec.Method) {
			return false
		}
		if !f.since.IsZero() && (rec.Time.IsZero() || rec.Time.Before(f.since)) ||
			!f.until.IsZero() && (rec.Time.IsZero() || !rec.Time.Before(f.until)) {
			return false
		}
		if f.hasReferrer && !rec.HasReferrer() {
			return false
		}
		if f.ips != nil || f.notIPs != nil {
			a, ok := parseAddr(rec.RemoteAddr)
			if f.ips != nil && (!ok || !inPrefixes(f.ips, a)) ||
				f.notIPs != nil && ok && inPrefixes(f.notIPs, a) {
				return false
			}
		}
		if !reField(f.path, f.notPath, rec.Path) || !reField(f.ref, f.notRef, rec.Referrer) ||
			!reField(f.ua, f.notUA, rec.UserAgent) {
			return false
		}
	}
	if f.grep != nil || f.notGrep != nil {
		raw := trimEOL(line)
		if f.grep != nil && !f.grep.Match(raw) || f.notGrep != nil && f.notGrep.Match(raw) {
			return false
		}
	}
	return true
}

// reField applies a regular expression and its negation to a field. A
// field that was not logged matches no expression.
func reField(re, not *regexp.Regexp, v []byte) bool {
	if re != nil && (v == nil || !re.Match(v)) {
		return false
	}
	return not == nil || v == nil || !not.Match(v)
}

func hasMethod(ms [][]byte, m []byte) bool {
	for _, x := range ms {
		if bytes.EqualFold(x, m) {
			return true
		}
	}
	return false
}

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Stops reports whether a line is the --until-path request, which tells
// the caller to stop: the line parsed and its path, without the query
// string, equals the --until-path value. It is false when --until-path
// was not given.
func (f *Filter) Stops(rec *Record, parseErr error) bool {
	return f.untilPath != nil && parseErr == nil && rec != nil && bytes.Equal(rec.PathOnly(), f.untilPath)
}
