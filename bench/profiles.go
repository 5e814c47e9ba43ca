package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Shapes of generated logs.
const (
	shapeZipf    = "zipf"    // a small real site: Zipf clients and pages, gzip ~10:1
	shapeEntropy = "entropy" // random addresses, sizes and paths, TLS garbage, invalid UTF-8: gzip -1 ~5.5:1
	shapeJSON    = "json"    // the zipf traffic as nginx escape=json lines
)

// dataProfile is one shape of log with a share of 404 lines: what the
// filter selects is its match rate.
type dataProfile struct {
	Shape    string
	NotFound float64 // share of lines with status 404, 0–1
}

// Name is the profile as the -profiles flag spells it: "zipf-2" is the
// zipf shape with 2% 404s; it is also the log's name in the policy.
func (p dataProfile) Name() string {
	return p.Shape + "-" + strconv.FormatFloat(100*p.NotFound, 'f', -1, 64)
}

// awkMatch is the awk program that prints the 404 lines of this shape,
// the baseline for `filter --status 404`.
func (p dataProfile) awkMatch() string {
	if p.Shape == shapeJSON {
		return `/"status":"404"/`
	}
	return "$9==404"
}

// parseProfiles parses a comma-separated list like "zipf-2,entropy-15";
// "" or "none" is no profile.
func parseProfiles(s string) ([]dataProfile, error) {
	if s == "" || s == "none" {
		return nil, nil
	}
	var out []dataProfile
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		shape, pct, ok := strings.Cut(strings.TrimSpace(f), "-")
		v, err := strconv.ParseFloat(pct, 64)
		if !ok || err != nil || v < 0 || v > 100 {
			return nil, fmt.Errorf("profile %q: want SHAPE-PERCENT, e.g. zipf-2", f)
		}
		switch shape {
		case shapeZipf, shapeEntropy, shapeJSON:
		default:
			return nil, fmt.Errorf("profile %q: unknown shape %q (want zipf, entropy or json)", f, shape)
		}
		p := dataProfile{Shape: shape, NotFound: v / 100}
		if seen[p.Name()] {
			return nil, fmt.Errorf("profile %q given twice", f)
		}
		seen[p.Name()] = true
		out = append(out, p)
	}
	return out, nil
}

// uaPool are the user agents of the entropy shape: the common ones and
// some with bytes that are not UTF-8 (logged raw by servers that do not
// escape them).
var uaPool = append(append([]string{}, userAgents...),
	"Mozilla/5.0 (compatible; \xff\xfeScanner/1.0)", "\xc3\x28\xa0\xa1 bot", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)")

// appendEntropyLine appends one high-entropy combined-format line: a
// uniformly random client (1 in 17 IPv6), random path, byte count and
// referrer, 1 in 40 a TLS handshake sent to the plain-HTTP port (logged
// as \x escapes, status 400, no spaces: awk's $9 is then not a status and
// never 404).
func (g *logGen) appendEntropyLine(b []byte) ([]byte, int) {
	r := g.r
	g.t = g.t.Add(time.Duration(r.IntN(20)) * time.Millisecond)
	if s := g.t.Unix(); s != g.sec {
		g.sec = s
		g.stamp = g.t.AppendFormat(g.stamp[:0], "[02/Jan/2006:15:04:05 -0700]")
	}
	if r.IntN(17) == 0 {
		for i := range 8 {
			if i > 0 {
				b = append(b, ':')
			}
			b = strconv.AppendUint(b, uint64(r.IntN(0x10000)), 16)
		}
	} else {
		for i := range 4 {
			if i > 0 {
				b = append(b, '.')
			}
			b = strconv.AppendUint(b, uint64(r.IntN(256)), 10)
		}
	}
	b = append(b, " - - "...)
	b = append(b, g.stamp...)
	b = append(b, " \""...)
	status := 200
	if r.IntN(40) == 0 {
		b = append(b, `\x16\x03\x01`...)
		for range 8 + r.IntN(24) {
			b = append(b, `\x`...)
			b = appendHex2(b, byte(r.IntN(256)))
		}
		status = 400
	} else {
		b = append(b, [...]string{"GET", "GET", "GET", "POST", "HEAD"}[r.IntN(5)]...)
		b = append(b, " /"...)
		b = append(b, words[r.IntN(len(words))]...)
		b = append(b, '/')
		b = strconv.AppendUint(b, uint64(r.IntN(1<<(8+r.IntN(14)))), 36)
		if r.IntN(6) == 0 {
			b = append(b, "?id="...)
			b = strconv.AppendUint(b, uint64(r.Uint32()), 10)
		}
		b = append(b, " HTTP/1.1"...)
		switch x := r.IntN(100); {
		case r.Float64() < g.p404:
			status = 404
		case x < 15:
			status = 304
		case x < 20:
			status = 301
		case x < 22:
			status = 500
		}
	}
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(r.IntN(1<<(8+r.IntN(12)))), 10)
	b = append(b, " \""...)
	if r.IntN(5) != 0 {
		b = append(b, '-')
	} else {
		b = append(b, "https://"...)
		b = strconv.AppendUint(b, uint64(r.Uint32()), 36)
		b = append(b, ".example/"...)
		b = strconv.AppendUint(b, uint64(r.Uint32()), 36)
	}
	b = append(b, "\" \""...)
	b = append(b, uaPool[r.IntN(len(uaPool))]...)
	b = append(b, "\"\n"...)
	return b, status
}

func appendHex2(b []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	return append(b, hex[c>>4], hex[c&15])
}

// appendJSONLine appends the zipf shape's next line as nginx writes it
// with `log_format … escape=json` (every value a string).
func (g *logGen) appendJSONLine(b []byte) ([]byte, int) {
	var status int
	g.scratch, status = g.appendLine(g.scratch[:0])
	l := g.scratch
	ip, l, _ := bytes.Cut(l, []byte(" - - ["))
	stamp, l, _ := bytes.Cut(l, []byte("] \""))
	req, l, _ := bytes.Cut(l, []byte("\" "))
	st, l, _ := bytes.Cut(l, []byte(" "))
	size, l, _ := bytes.Cut(l, []byte(" \""))
	ref, l, _ := bytes.Cut(l, []byte("\" \""))
	ua, _, _ := bytes.Cut(l, []byte("\"\n"))
	if bytes.Equal(size, []byte("-")) {
		size = []byte("0")
	}
	field := func(k string, v []byte, last bool) {
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, `":"`...)
		b = append(b, v...)
		b = append(b, '"')
		if !last {
			b = append(b, ',')
		}
	}
	b = append(b, '{')
	field("time_local", stamp, false)
	field("remote_addr", ip, false)
	field("remote_user", nil, false)
	field("request", req, false)
	field("status", st, false)
	field("body_bytes_sent", size, false)
	field("request_time", strconv.AppendFloat(nil, float64(g.r.IntN(2000))/1000, 'f', 3, 64), false)
	field("http_referrer", ref, false)
	field("http_user_agent", ua, true)
	b = append(b, "}\n"...)
	return b, status
}
