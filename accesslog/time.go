package accesslog

import (
	"bytes"
	"strconv"
	"time"
)

// clfLen is the length of a Common Log Format time,
// 10/Oct/2000:13:55:36 -0700.
const clfLen = 26

// timeCache parses timestamps, remembering the last one: consecutive log
// lines usually share it. It also keeps the last fixed zone it made, so
// that steady-state parsing does not allocate.
type timeCache struct {
	key  [40]byte
	n    int
	kind fieldKind
	t    time.Time
	off  int
	loc  *time.Location
}

func (c *timeCache) parse(k fieldKind, v []byte) (time.Time, bool) {
	if c.n > 0 && k == c.kind && len(v) == c.n && bytes.Equal(v, c.key[:c.n]) {
		return c.t, true
	}
	var (
		t  time.Time
		ok bool
	)
	switch k {
	case fTimeCLF:
		t, ok = c.clf(v)
	case fTimeISO:
		t, ok = c.iso(v)
	case fTimeSec:
		t, ok = parseEpoch(v, 0)
	case fTimeMilli:
		t, ok = parseEpoch(v, 3)
	case fTimeMicro:
		t, ok = parseEpoch(v, 6)
	default: // JSON: any of them
		t, ok = c.any(v)
	}
	if ok && len(v) <= len(c.key) {
		c.n = copy(c.key[:], v)
		c.kind = k
		c.t = t
	}
	return t, ok
}

// any parses an ISO 8601, CLF (with or without brackets) or epoch-seconds
// time.
func (c *timeCache) any(v []byte) (time.Time, bool) {
	if len(v) >= 2 && v[0] == '[' && v[len(v)-1] == ']' {
		v = v[1 : len(v)-1]
	}
	switch {
	case len(v) == clfLen && v[2] == '/':
		return c.clf(v)
	case len(v) >= 19 && v[4] == '-':
		return c.iso(v)
	}
	return parseEpoch(v, 0)
}

// zone returns a location for a UTC offset in seconds.
func (c *timeCache) zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if c.loc == nil || c.off != off {
		c.loc, c.off = time.FixedZone("", off), off
	}
	return c.loc
}

// clf parses 10/Oct/2000:13:55:36 -0700.
func (c *timeCache) clf(v []byte) (time.Time, bool) {
	if len(v) != clfLen || v[2] != '/' || v[6] != '/' || v[11] != ':' || v[14] != ':' ||
		v[17] != ':' || v[20] != ' ' {
		return time.Time{}, false
	}
	day, ok1 := num(v[0:2])
	mon := month(v[3:6])
	year, ok2 := num(v[7:11])
	hh, ok3 := num(v[12:14])
	mm, ok4 := num(v[15:17])
	ss, ok5 := num(v[18:20])
	off, ok6 := offset(v[21:])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon == 0 {
		return time.Time{}, false
	}
	return c.date(year, mon, day, hh, mm, ss, 0, off)
}

// iso parses 2000-10-10T13:55:36[.fraction](Z|+07:00|+0700|+07).
func (c *timeCache) iso(v []byte) (time.Time, bool) {
	if len(v) < 20 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != 't' && v[10] != ' ') ||
		v[13] != ':' || v[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := num(v[0:4])
	mon, ok2 := num(v[5:7])
	day, ok3 := num(v[8:10])
	hh, ok4 := num(v[11:13])
	mm, ok5 := num(v[14:16])
	ss, ok6 := num(v[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon < 1 || mon > 12 {
		return time.Time{}, false
	}
	rest := v[19:]
	nsec := 0
	if rest[0] == '.' || rest[0] == ',' {
		i := 1
		for scale := 100000000; i < len(rest) && isDigit(rest[i]); i++ {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
		}
		if i == 1 {
			return time.Time{}, false
		}
		rest = rest[i:]
	}
	var off int
	switch {
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && rest[3] == ':':
		o, ok := offset([]byte{rest[0], rest[1], rest[2], rest[4], rest[5]})
		if !ok {
			return time.Time{}, false
		}
		off = o
	case len(rest) == 5 || len(rest) == 3:
		var b [5]byte
		copy(b[:], rest)
		if len(rest) == 3 {
			b[3], b[4] = '0', '0'
		}
		o, ok := offset(b[:])
		if !ok {
			return time.Time{}, false
		}
		off = o
	default:
		return time.Time{}, false
	}
	return c.date(year, time.Month(mon), day, hh, mm, ss, nsec, off)
}

func (c *timeCache) date(year int, mon time.Month, day, hh, mm, ss, nsec, off int) (time.Time, bool) {
	if day < 1 || day > daysIn(mon, year) || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	return time.Date(year, mon, day, hh, mm, ss, nsec, c.zone(off)), true
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// offset parses +hhmm or -hhmm into seconds east of UTC.
func offset(v []byte) (int, bool) {
	if len(v) != 5 || (v[0] != '+' && v[0] != '-') {
		return 0, false
	}
	h, ok1 := num(v[1:3])
	m, ok2 := num(v[3:5])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	off := (h*60 + m) * 60
	if v[0] == '-' {
		off = -off
	}
	return off, true
}

func num(v []byte) (int, bool) {
	n := 0
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(v) > 0
}

func month(v []byte) time.Month {
	switch string(v) {
	case "Jan":
		return time.January
	case "Feb":
		return time.February
	case "Mar":
		return time.March
	case "Apr":
		return time.April
	case "May":
		return time.May
	case "Jun":
		return time.June
	case "Jul":
		return time.July
	case "Aug":
		return time.August
	case "Sep":
		return time.September
	case "Oct":
		return time.October
	case "Nov":
		return time.November
	case "Dec":
		return time.December
	}
	return 0
}

// parseEpoch parses a decimal count of units since the Unix epoch, where
// a unit is 10^-scale seconds, with an optional fraction. Caddy's float
// seconds in exponent form go through strconv.
func parseEpoch(v []byte, scale int) (time.Time, bool) {
	ns, ok := parseDecimal(v, 9-scale)
	if !ok {
		if scale != 0 || len(v) > 32 || !bytes.ContainsAny(v, "eE") {
			return time.Time{}, false
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || f < 0 || f > 1e11 {
			return time.Time{}, false
		}
		ns = int64(f * 1e9)
	}
	return time.Unix(0, ns).UTC(), true
}

// parseDecimal parses digits[.digits] as an integer count of 10^-exp
// units, truncating further fraction digits. It refuses values that do
// not fit in an int64.
func parseDecimal(v []byte, exp int) (int64, bool) {
	var n int64
	i, digits := 0, 0
	for ; i < len(v) && isDigit(v[i]); i++ {
		if digits++; digits > 18 {
			return 0, false
		}
		n = n*10 + int64(v[i]-'0')
	}
	if digits == 0 {
		return 0, false
	}
	frac := 0
	if i < len(v) && v[i] == '.' {
		i++
		start := i
		for ; i < len(v) && isDigit(v[i]); i++ {
			if frac < exp {
				if n > (1<<63-1)/10-1 {
					return 0, false
				}
				n = n*10 + int64(v[i]-'0')
				frac++
			}
		}
		if i == start {
			return 0, false
		}
	}
	if i != len(v) {
		return 0, false
	}
	for ; frac < exp; frac++ {
		if n > (1<<63-1)/10 {
			return 0, false
		}
		n *= 10
	}
	return n, n >= 0
}

// parseDuration parses %D (microseconds), %{ms}T and $request_time or %T
// (decimal seconds).
func parseDuration(k fieldKind, v []byte) (time.Duration, bool) {
	exp := 9
	switch k {
	case fDurMilli:
		exp = 6
	case fDurMicro:
		exp = 3
	}
	n, ok := parseDecimal(v, exp)
	return time.Duration(n), ok
}
