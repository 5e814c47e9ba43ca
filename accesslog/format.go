package accesslog

// Format describes the layout of one log's lines. The zero Format is
// unknown: a Parser made with it rejects every line with [ErrNoFormat].
//
// Get one from the built-ins ([Common], [Combined], [VHostCombined],
// [NginxMain], [JSON]), from [ParseFormat], or from [Detect]. A Format is
// an immutable value, safe to copy and to share between goroutines.
type Format struct {
	name     string // built-in name, or "" for a custom format
	dialect  dialect
	escaping Escaping
	fields   []field   // text dialects: the fields, in line order
	tail     string    // text dialects: literal after the last field
	keys     []jsonKey // JSON template: object keys and what they hold; nil for the built-in JSON format
	src      string    // canonical format text, for String
}

type dialect uint8

const (
	dialectNone   dialect = iota
	dialectApache         // LogFormat directives
	dialectNginx          // log_format variables
	dialectJSON           // one JSON object per line
)

// field is one field of a text format.
type field struct {
	kind    fieldKind
	before  string // literal text between the previous field and this one
	name    string // directive as written, e.g. "%>s" or "$status"
	quoted  bool   // enclosed in double quotes
	numNext bool   // the next field starts with a digit or '-'
	nextB   []byte // literal after this field (next field's before, or the tail)
}

// jsonKey maps an object key of a JSON template to the field it holds.
type jsonKey struct {
	key  string
	kind fieldKind
}

// fieldKind says what a field holds.
type fieldKind uint8

const (
	fSkip fieldKind = iota // anything the Record has no place for
	fVHost
	fPort
	fRemoteAddr
	fIdent
	fUser
	fTimeCLF     // 10/Oct/2000:13:55:36 -0700
	fTimeISO     // 2000-10-10T13:55:36-07:00
	fTimeSec     // seconds since the epoch, with optional fraction
	fTimeMilli   // milliseconds since the epoch
	fTimeMicro   // microseconds since the epoch
	fRequest     // METHOD SP TARGET [SP PROTOCOL]
	fMethod      //
	fPath        // request target; %U%q and $uri$is_args$args merge into one
	fQuery       // only while building: merged into fPath
	fProtocol    //
	fStatus      //
	fBytes       //
	fReferrer    //
	fUserAgent   //
	fForwarded   // X-Forwarded-For
	fDurSec      // decimal seconds ($request_time, %T)
	fDurMilli    // %{ms}T
	fDurMicro    // %D, %{us}T
	fJSONRequest // JSON only: "request" may be a string or a Caddy object
)

func (k fieldKind) String() string {
	switch k {
	case fVHost:
		return "vhost"
	case fPort:
		return "port"
	case fRemoteAddr:
		return "remote address"
	case fIdent:
		return "ident"
	case fUser:
		return "user"
	case fTimeCLF, fTimeISO, fTimeSec, fTimeMilli, fTimeMicro:
		return "time"
	case fRequest, fJSONRequest:
		return "request"
	case fMethod:
		return "method"
	case fPath, fQuery:
		return "path"
	case fProtocol:
		return "protocol"
	case fStatus:
		return "status"
	case fBytes:
		return "bytes"
	case fReferrer:
		return "referrer"
	case fUserAgent:
		return "user agent"
	case fForwarded:
		return "forwarded-for"
	case fDurSec, fDurMilli, fDurMicro:
		return "duration"
	}
	return "field"
}

func (k fieldKind) numeric() bool {
	switch k {
	case fStatus, fBytes, fPort, fDurSec, fDurMilli, fDurMicro:
		return true
	}
	return false
}

// Names of the built-in formats, as [Format.Name] returns them and
// [ParseFormat] accepts them.
const (
	NameCommon        = "common"
	NameCombined      = "combined"
	NameVHostCombined = "vhost_combined"
	NameNginxMain     = "nginx_main"
	NameJSON          = "json"
)

// Common returns Apache's common log format,
// %h %l %u %t "%r" %>s %b.
func Common() Format {
	return mustBuiltin(NameCommon, `%h %l %u %t \"%r\" %>s %b`)
}

// Combined returns the combined log format of Apache (with %b, or %O as
// Debian has it) and nginx:
// %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i".
func Combined() Format {
	return mustBuiltin(NameCombined, `%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"`)
}

// VHostCombined returns Apache's vhost_combined format, which starts with
// the virtual host and port:
// %v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i".
func VHostCombined() Format {
	return mustBuiltin(NameVHostCombined, `%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"`)
}

// NginxMain returns nginx's "main" format from its default nginx.conf,
// combined plus "$http_x_forwarded_for". Further trailing fields, such as
// $request_time, are kept in [Record.Rest].
func NginxMain() Format {
	return mustBuiltin(NameNginxMain, `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`)
}

// JSON returns the JSON-lines format: one object per line, as nginx
// writes with escape=json and Caddy writes natively. The usual keys are
// recognised (remote_addr, remote_ip, client_ip; time, time_local,
// time_iso8601, ts; request, or method and uri; status; body_bytes_sent,
// size; http_referer, referer; http_user_agent, user_agent; Caddy's
// request object and its headers); others are ignored. An object without
// a status is not an access-log line.
func JSON() Format {
	return Format{name: NameJSON, dialect: dialectJSON, escaping: EscapeJSON, src: NameJSON}
}

func builtin(name string) (Format, bool) {
	switch name {
	case NameCommon:
		return Common(), true
	case NameCombined, "nginx_combined":
		return Combined(), true
	case NameVHostCombined:
		return VHostCombined(), true
	case NameNginxMain, "main":
		return NginxMain(), true
	case NameJSON, "caddy":
		return JSON(), true
	}
	return Format{}, false
}

func mustBuiltin(name, spec string) Format {
	f, err := ParseFormat(spec)
	if err != nil {
		panic("accesslog: bad built-in format " + name + ": " + err.Error())
	}
	f.name = name
	f.src = name
	return f
}

// Name returns the name of a built-in format (see [NameCombined] and its
// siblings), "custom" for a format from a format string, and "" for the
// zero Format.
func (f Format) Name() string {
	switch {
	case f.name != "":
		return f.name
	case f.dialect == dialectNone:
		return ""
	}
	return "custom"
}

// IsZero reports whether f is the zero, unknown, Format.
func (f Format) IsZero() bool { return f.dialect == dialectNone }

// Escaping returns how lines of this format escape their fields.
func (f Format) Escaping() Escaping { return f.escaping }

// String returns the built-in name, or a canonical format string that
// [ParseFormat] turns back into the same Format.
func (f Format) String() string { return f.src }

// equal reports whether f and g parse lines the same way.
func (f Format) equal(g Format) bool {
	if f.dialect != g.dialect || f.escaping != g.escaping || f.tail != g.tail ||
		len(f.fields) != len(g.fields) || len(f.keys) != len(g.keys) {
		return false
	}
	for i, a := range f.fields {
		b := g.fields[i]
		if a.kind != b.kind || a.before != b.before || a.quoted != b.quoted || a.numNext != b.numNext {
			return false
		}
	}
	for i, a := range f.keys {
		if a != g.keys[i] {
			return false
		}
	}
	return true
}
