package wire

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weblogctl/weblogctl/accesslog"
)

// MaxRequest is the longest request line accepted, without its LF.
const MaxRequest = 4096

// MaxLogName is the longest log name accepted.
const MaxLogName = 64

// Verbs of protocol version 1.
const (
	VerbVersion = "version"
	VerbLs      = "ls"
	VerbStat    = "stat"
	VerbCat     = "cat"
	VerbFollow  = "follow"
	VerbFilter  = "filter"
	VerbStats   = "stats"
)

// Compressions of framed answers (PROTOCOL.md §3.3).
const (
	CompressZstd = "zstd" // smaller: for slow links
	CompressS2   = "s2"   // several times faster to make: for fast links
)

// Defaults and bounds of request options.
const (
	DefaultLines     = 10
	MaxLines         = 1_000_000
	DefaultHeartbeat = 5 * time.Second
	MinHeartbeat     = time.Second
	MaxHeartbeat     = 5 * time.Minute
)

// Request is one parsed request line. The zero values of the optional
// fields mean "not given"; String renders only what was given.
type Request struct {
	Verb   string
	Log    string // the LOG operand, for verbs that take one
	Framed bool

	Offset    int64         // cat --offset
	Length    int64         // cat --length; meaningful when HasLength
	HasLength bool          // cat --length was given
	Lines     int           // follow --lines; meaningful when HasLines
	HasLines  bool          // follow --lines was given
	Cursor    string        // follow --cursor, opaque here (see package logfile)
	Heartbeat time.Duration // follow --heartbeat, 0 = default
	Follow    bool          // filter --follow: keep following after the end
	Rotated   int           // cat, filter --rotated: the Nth newest rotated file, not the live one
	// VerifyPrefix asks cat to report the SHA-256 of [0, offset) too.
	VerifyPrefix bool
	// Compress names the compression of the framed answer: "", "zstd" or "s2".
	Compress string

	// Filter selects lines, for follow, filter and stats (PROTOCOL.md §2.1).
	Filter accesslog.FilterSpec
	// Stats holds the options of stats (PROTOCOL.md §2.2).
	Stats StatsOptions
}

// optKind says what an option's value is.
type optKind int

const (
	optFlag optKind = iota
	optCount
	optDuration
	optText
	optStats // parsed by StatsOptions.set
)

// option describes one request option and the verbs that accept it.
type option struct {
	kind  optKind
	verbs string // space-separated
}

var options = map[string]option{
	"framed":        {optFlag, "version ls stat cat follow filter stats"},
	"offset":        {optCount, "cat"},
	"length":        {optCount, "cat"},
	"lines":         {optCount, "follow filter"},
	"cursor":        {optText, "follow filter"},
	"heartbeat":     {optDuration, "follow filter"},
	"follow":        {optFlag, "filter"},
	"rotated":       {optCount, "cat filter stats"},
	"verify-prefix": {optFlag, "cat"},
	"compress":      {optText, "cat filter stats"},
	"by":            {optStats, "stats"},
	"max-groups":    {optStats, "stats"},
	"every":         {optStats, "stats"},
}

// filterVerbs take filter options (in --name=value form only).
const filterVerbs = "follow filter stats"

// operands is how many LOG operands each verb takes.
var operands = map[string]int{
	VerbVersion: 0, VerbLs: 0, VerbStat: 1, VerbCat: 1, VerbFollow: 1, VerbFilter: 1, VerbStats: 1,
}

// ParseRequest parses one request line (a trailing LF is allowed). Every
// error is a *Error with StatusUsage or, for an overlong line, StatusLimit.
func ParseRequest(line string) (Request, error) {
	line = strings.TrimSuffix(line, "\n")
	if len(line) > MaxRequest {
		return Request{}, Errorf(StatusLimit, fmt.Sprintf("request longer than %d bytes", MaxRequest))
	}
	if err := checkBytes(line); err != nil {
		return Request{}, err
	}
	words := strings.Fields(line) // only ' ' can separate: checkBytes refused other spaces
	if len(words) == 0 {
		return Request{}, Errorf(StatusUsage, "empty request")
	}
	req := Request{Verb: words[0]}
	want, ok := operands[req.Verb]
	if !ok {
		return Request{}, Errorf(StatusUsage, fmt.Sprintf("unknown verb %s: this key may only run version, ls, stat LOG, cat LOG, follow LOG, filter LOG, stats LOG", quote(req.Verb)))
	}
	seen := map[string]bool{}
	var ops, filterArgs []string
	for i := 1; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") {
			ops = append(ops, w)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(w, "--"), "=")
		switch {
		case w == "-n":
			name = "lines"
		case !strings.HasPrefix(w, "--") || w == "--":
			return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s: unknown option %s", req.Verb, quote(w)))
		}
		opt, ok := options[name]
		if !ok && strings.HasPrefix(w, "--") && strings.Contains(" "+filterVerbs+" ", " "+req.Verb+" ") {
			filterArgs = append(filterArgs, w) // checked by accesslog below
			continue
		}
		if !ok || !strings.Contains(" "+opt.verbs+" ", " "+req.Verb+" ") {
			return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s: unknown option %s", req.Verb, quote(w)))
		}
		if seen[name] {
			return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s: option --%s given twice", req.Verb, name))
		}
		seen[name] = true
		if opt.kind == optFlag {
			if hasValue {
				return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s: option --%s takes no value", req.Verb, name))
			}
		} else if !hasValue {
			if i+1 >= len(words) {
				return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s: option --%s needs a value", req.Verb, name))
			}
			if strings.HasPrefix(words[i+1], "-") {
				return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s: option --%s needs a value, not %s", req.Verb, name, quote(words[i+1])))
			}
			i++
			value = words[i]
		}
		if err := req.set(name, opt.kind, value); err != nil {
			return Request{}, err
		}
	}
	if req.Compress != "" && !req.Framed {
		return Request{}, Errorf(StatusUsage, req.Verb+": --compress needs --framed")
	}
	if req.Compress != "" && req.Follow {
		return Request{}, Errorf(StatusUsage, "filter: --compress and --follow exclude each other")
	}
	if err := req.checkStats(); err != nil {
		return Request{}, err
	}
	if req.Follow && req.Rotated > 0 {
		return Request{}, Errorf(StatusUsage, "filter: --rotated and --follow exclude each other")
	}
	if len(filterArgs) > 0 {
		spec, err := accesslog.ParseFilterArgs(filterArgs)
		if err != nil {
			return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s: %s", req.Verb, Sanitize(err.Error())))
		}
		req.Filter = spec
	}
	if len(ops) != want {
		if want == 0 {
			return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s takes no operands", req.Verb))
		}
		return Request{}, Errorf(StatusUsage, fmt.Sprintf("%s needs exactly one LOG name", req.Verb))
	}
	if want == 1 {
		if err := CheckLogName(ops[0]); err != nil {
			return Request{}, err
		}
		req.Log = ops[0]
	}
	return req, nil
}

// set stores one option's value.
func (r *Request) set(name string, kind optKind, value string) error {
	bad := func(what string) error {
		return Errorf(StatusUsage, fmt.Sprintf("%s: --%s: %s %s", r.Verb, name, what, quote(value)))
	}
	switch kind {
	case optFlag:
		switch name {
		case "follow":
			r.Follow = true
		case "verify-prefix":
			r.VerifyPrefix = true
		default:
			r.Framed = true
		}
	case optCount:
		n, ok := parseCount(value)
		if !ok {
			return bad("not an unsigned decimal number:")
		}
		switch name {
		case "offset":
			r.Offset = n
		case "length":
			r.Length, r.HasLength = n, true
		case "rotated":
			if n < 1 || n > 9999 {
				return bad("not a rotated file number (1–9999):")
			}
			r.Rotated = int(n)
		case "lines":
			if n > MaxLines {
				return Errorf(StatusLimit, fmt.Sprintf("%s: --lines: at most %d", r.Verb, MaxLines))
			}
			r.Lines, r.HasLines = int(n), true
		}
	case optDuration:
		d, err := time.ParseDuration(value)
		if err != nil || d < MinHeartbeat || d > MaxHeartbeat || d.String() != value {
			return bad(fmt.Sprintf("not a duration between %s and %s in canonical form (e.g. 5s):", MinHeartbeat, MaxHeartbeat))
		}
		r.Heartbeat = d
	case optStats:
		return r.Stats.set(r.Verb, name, value)
	case optText:
		if value == "" {
			return bad("empty value")
		}
		if name == "compress" {
			if value != CompressZstd && value != CompressS2 {
				return bad("unknown compression (want zstd or s2):")
			}
			r.Compress = value
			return nil
		}
		r.Cursor = value
	}
	return nil
}

// parseCount parses an unsigned decimal number without sign or leading
// zeros, at most 18 digits (so it always fits an int64).
func parseCount(s string) (int64, bool) {
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// checkBytes refuses invalid UTF-8 and every control or non-space
// separator character: only printable text and ASCII space remain.
func checkBytes(line string) error {
	if !utf8.ValidString(line) {
		return Errorf(StatusUsage, "request is not valid UTF-8")
	}
	for _, r := range line {
		if r != ' ' && (!unicode.IsPrint(r) || unicode.IsSpace(r)) {
			return Errorf(StatusUsage, fmt.Sprintf("request contains the forbidden character %U", r))
		}
	}
	return nil
}

// CheckLogName reports whether name is a syntactically valid log name
// ([A-Za-z0-9][A-Za-z0-9._-]*, at most MaxLogName bytes). The error is a
// *Error with StatusUsage.
func CheckLogName(name string) error {
	ok := name != "" && len(name) <= MaxLogName && isAlnum(name[0])
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = isAlnum(c) || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return Errorf(StatusUsage, fmt.Sprintf("invalid log name %s: a name from `ls`, not a path", quote(name)))
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// quote renders client-supplied text for an error message: quoted,
// escaped, and cut short, so it cannot forge lines or terminal output.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.QuoteToASCII(s[:max]) + "…"
	}
	return strconv.QuoteToASCII(s)
}

// String renders r as a canonical request line (without LF) that
// ParseRequest parses back to r.
func (r Request) String() string {
	var b strings.Builder
	b.WriteString(r.Verb)
	if r.Framed {
		b.WriteString(" --framed")
	}
	if r.Offset != 0 {
		fmt.Fprintf(&b, " --offset=%d", r.Offset)
	}
	if r.HasLength {
		fmt.Fprintf(&b, " --length=%d", r.Length)
	}
	if r.HasLines {
		fmt.Fprintf(&b, " --lines=%d", r.Lines)
	}
	if r.Cursor != "" {
		b.WriteString(" --cursor=" + r.Cursor)
	}
	if r.Heartbeat != 0 {
		b.WriteString(" --heartbeat=" + r.Heartbeat.String())
	}
	if r.Follow {
		b.WriteString(" --follow")
	}
	if r.Rotated != 0 {
		fmt.Fprintf(&b, " --rotated=%d", r.Rotated)
	}
	if r.VerifyPrefix {
		b.WriteString(" --verify-prefix")
	}
	if r.Compress != "" {
		b.WriteString(" --compress=" + r.Compress)
	}
	b.WriteString(r.Stats.args())
	for _, a := range r.Filter.Args() {
		b.WriteString(" " + a)
	}
	if r.Log != "" {
		b.WriteString(" " + r.Log)
	}
	return b.String()
}
