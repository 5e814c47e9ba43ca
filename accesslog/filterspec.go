package accesslog

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Limits on filter options. They bound what a client can make the server
// compile and evaluate per line: with each option given at most once
// (lists aside), a FilterSpec holds at most eight regular expressions of
// at most MaxValueLen bytes each, and [Compile] also refuses any whose
// compiled program is too large.
const (
	MaxValueLen   = 1024 // bytes in one option value, regular expressions included
	MaxListItems  = 64   // comma-separated items in one status, method or ip option
	MaxFilterArgs = 64   // tokens given to ParseFilterArgs
)

// FilterSpec holds filter options as the user typed them, before
// validation. The zero FilterSpec selects every line. Options that take a
// list (status, method, ip and their negations) hold comma-separated
// items; regular expressions use Go's RE2 syntax and are matched against
// fields as logged (escapes not decoded).
type FilterSpec struct {
	Status      string // --status: 404, 4xx, 500-599, or a comma-separated list of those
	NotStatus   string // --not-status
	Method      string // --method: GET,POST (case-insensitive)
	NotMethod   string // --not-method
	Path        string // --path: RE matched against the request target, query included
	NotPath     string // --not-path
	Referrer    string // --referrer: RE matched against the Referer header
	NotReferrer string // --not-referrer
	HasReferrer bool   // --has-referrer: the line has a referrer, not "-" nor ""
	UA          string // --ua: RE matched against the User-Agent header
	NotUA       string // --not-ua
	IP          string // --ip: client address in CIDR[,CIDR...]; a bare address is a /32 or /128
	NotIP       string // --not-ip
	Grep        string // --grep: RE matched against the raw line
	NotGrep     string // --not-grep
	Since       string // --since: RFC 3339 time, YYYY-MM-DD, or a duration (2h, 90m, 7d) before now
	Until       string // --until: likewise; lines are selected in [since, until)
	UntilPath   string // --until-path: a request for this path (query ignored) tells the caller to stop
}

// FilterOption describes one filter option, for building command-line
// flags that match the wire form.
type FilterOption struct {
	Name  string // without dashes, e.g. "not-status"
	Usage string // one line of help
	Bool  bool   // takes no value
}

type optionKind uint8

const (
	optString optionKind = iota
	optList              // repeats join with ","
	optBool
)

type option struct {
	FilterOption
	kind optionKind
	ptr  func(*FilterSpec) *string
}

// options returns the filter options in the order Args writes them.
func options() []option {
	return []option{
		{FilterOption{Name: "status", Usage: "status codes: 404, 4xx, 500-599, or a comma-separated list"}, optList, func(s *FilterSpec) *string { return &s.Status }},
		{FilterOption{Name: "not-status", Usage: "exclude these status codes"}, optList, func(s *FilterSpec) *string { return &s.NotStatus }},
		{FilterOption{Name: "method", Usage: "request methods, e.g. GET,POST"}, optList, func(s *FilterSpec) *string { return &s.Method }},
		{FilterOption{Name: "not-method", Usage: "exclude these request methods"}, optList, func(s *FilterSpec) *string { return &s.NotMethod }},
		{FilterOption{Name: "path", Usage: "regular expression matched against the request path and query"}, optString, func(s *FilterSpec) *string { return &s.Path }},
		{FilterOption{Name: "not-path", Usage: "exclude requests whose path matches this regular expression"}, optString, func(s *FilterSpec) *string { return &s.NotPath }},
		{FilterOption{Name: "referrer", Usage: "regular expression matched against the referrer"}, optString, func(s *FilterSpec) *string { return &s.Referrer }},
		{FilterOption{Name: "not-referrer", Usage: "exclude hits whose referrer matches this regular expression"}, optString, func(s *FilterSpec) *string { return &s.NotReferrer }},
		{FilterOption{Name: "has-referrer", Usage: "only hits with a referrer (not - nor empty)", Bool: true}, optBool, nil},
		{FilterOption{Name: "ua", Usage: "regular expression matched against the user agent"}, optString, func(s *FilterSpec) *string { return &s.UA }},
		{FilterOption{Name: "not-ua", Usage: "exclude hits whose user agent matches this regular expression"}, optString, func(s *FilterSpec) *string { return &s.NotUA }},
		{FilterOption{Name: "ip", Usage: "client addresses: CIDR[,CIDR...]"}, optList, func(s *FilterSpec) *string { return &s.IP }},
		{FilterOption{Name: "not-ip", Usage: "exclude these client addresses"}, optList, func(s *FilterSpec) *string { return &s.NotIP }},
		{FilterOption{Name: "grep", Usage: "regular expression matched against the raw line"}, optString, func(s *FilterSpec) *string { return &s.Grep }},
		{FilterOption{Name: "not-grep", Usage: "exclude lines matching this regular expression"}, optString, func(s *FilterSpec) *string { return &s.NotGrep }},
		{FilterOption{Name: "since", Usage: "from this time: RFC 3339, YYYY-MM-DD, or a duration ago (2h, 7d)"}, optString, func(s *FilterSpec) *string { return &s.Since }},
		{FilterOption{Name: "until", Usage: "before this time: RFC 3339, YYYY-MM-DD, or a duration ago"}, optString, func(s *FilterSpec) *string { return &s.Until }},
		{FilterOption{Name: "until-path", Usage: "stop at a request for this path"}, optString, func(s *FilterSpec) *string { return &s.UntilPath }},
	}
}

// FilterOptions returns the filter options, in a stable order.
func FilterOptions() []FilterOption {
	opts := options()
	out := make([]FilterOption, len(opts))
	for i, o := range opts {
		out[i] = o.FilterOption
	}
	return out
}

func lookup(name string) (option, bool) {
	for _, o := range options() {
		if o.Name == name {
			return o, true
		}
	}
	return option{}, false
}

// Set sets the option called name (without dashes) to value, as a
// command-line flag would. Boolean options take "true", "false" or "".
// Setting a list option again appends to it; setting another option again
// is an error, as is a value that is empty, longer than MaxValueLen, or not
// printable UTF-8. Set checks syntax only; [Compile] checks meaning.
func (s *FilterSpec) Set(name, value string) error {
	o, ok := lookup(name)
	if !ok {
		return &FilterError{Err: errors.New("unknown option --" + quoteName(name))}
	}
	if o.kind == optBool {
		switch value {
		case "", "true":
			s.HasReferrer = true
		case "false":
			s.HasReferrer = false
		default:
			return &FilterError{Option: name, Value: value, Err: errors.New("want true or false")}
		}
		return nil
	}
	if err := checkValue(value); err != nil {
		return &FilterError{Option: name, Value: value, Err: err}
	}
	p := o.ptr(s)
	switch {
	case *p == "":
		*p = value
	case o.kind == optList:
		if len(*p)+1+len(value) > MaxValueLen {
			return &FilterError{Option: name, Value: value, Err: errors.New("too long")}
		}
		*p += "," + value
	default:
		return &FilterError{Option: name, Value: value, Err: errors.New("given more than once")}
	}
	return nil
}

func checkValue(v string) error {
	switch {
	case v == "":
		return errors.New("empty value")
	case len(v) > MaxValueLen:
		return errors.New("longer than 1024 bytes")
	case !utf8.ValidString(v):
		return errors.New("invalid UTF-8")
	case strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return errors.New("control character in value")
	}
	return nil
}

func quoteName(n string) string {
	if len(n) > 32 {
		n = n[:32] + "..."
	}
	if !utf8.ValidString(n) || strings.IndexFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "(unprintable)"
	}
	return n
}

// Args returns s as --name=value tokens (--has-referrer alone), in a
// fixed order, for sending over the wire. [ParseFilterArgs] turns them
// back into s.
func (s FilterSpec) Args() []string {
	var args []string
	for _, o := range options() {
		if o.kind == optBool {
			if s.HasReferrer {
				args = append(args, "--"+o.Name)
			}
			continue
		}
		if v := *o.ptr(&s); v != "" {
			args = append(args, "--"+o.Name+"="+v)
		}
	}
	return args
}

// ParseFilterArgs parses --name=value tokens (--has-referrer alone) into
// a FilterSpec. Every token must be an option in that form: values are
// never taken from the next token, and there are no short or abbreviated
// names. List options may repeat (their values are joined with commas);
// others may not. It checks syntax only; [Compile] checks meaning.
func ParseFilterArgs(args []string) (FilterSpec, error) {
	var s FilterSpec
	if len(args) > MaxFilterArgs {
		return FilterSpec{}, &FilterError{Err: errors.New("too many filter options")}
	}
	for _, a := range args {
		rest, ok := strings.CutPrefix(a, "--")
		if !ok {
			return FilterSpec{}, &FilterError{Err: errors.New("want --name=value, got " + quoteItem(quoteName(a)))}
		}
		name, value, hasValue := strings.Cut(rest, "=")
		o, known := lookup(name)
		switch {
		case !known:
			return FilterSpec{}, &FilterError{Err: errors.New("unknown option --" + quoteName(name))}
		case o.kind == optBool && hasValue:
			return FilterSpec{}, &FilterError{Option: name, Err: errors.New("takes no value")}
		case o.kind == optBool && s.HasReferrer:
			return FilterSpec{}, &FilterError{Option: name, Err: errors.New("given more than once")}
		case o.kind != optBool && !hasValue:
			return FilterSpec{}, &FilterError{Option: name, Err: errors.New("needs a value: --" + name + "=VALUE")}
		}
		if err := s.Set(name, value); err != nil {
			return FilterSpec{}, err
		}
	}
	return s, nil
}
