package tally

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
)

// Key names what records are grouped by.
type Key string

// The group keys.
const (
	KeyStatus       Key = "status"        // final status, "404"
	KeyClass        Key = "class"         // status class, "4xx"
	KeyMethod       Key = "method"        // request method
	KeyPath         Key = "path"          // request target without its query string
	KeyURL          Key = "url"           // request target, query included
	KeyReferrer     Key = "referrer"      // Referer header
	KeyReferrerHost Key = "referrer-host" // host (and port) of an absolute referrer URL, lowercased
	KeyIP           Key = "ip"            // client address, canonical form
	KeyIPNet        Key = "ip/24"         // client network: /24 for IPv4, /48 for IPv6
	KeyUA           Key = "ua"            // User-Agent header
	KeyVHost        Key = "vhost"         // virtual host
	KeyMinute       Key = "minute"        // request time truncated to the minute, UTC
	KeyHour         Key = "hour"          // request time truncated to the hour, UTC
	KeyDay          Key = "day"           // request date, UTC
)

// Keys returns every key, in a stable order.
func Keys() []Key {
	return []Key{KeyStatus, KeyClass, KeyMethod, KeyPath, KeyURL, KeyReferrer, KeyReferrerHost,
		KeyIP, KeyIPNet, KeyUA, KeyVHost, KeyMinute, KeyHour, KeyDay}
}

// MaxKeys is the most keys one table groups by.
const MaxKeys = 8

// Missing is the value of a field the record does not have.
const Missing = "-"

// ParseKeys parses a comma-separated list of keys ("status,path"). The
// empty string is no keys: one group of everything. Keys may not repeat.
func ParseKeys(s string) ([]Key, error) {
	if s == "" {
		return nil, nil
	}
	var keys []Key
	for _, item := range strings.Split(s, ",") {
		k := Key(item)
		if !k.valid() {
			return nil, fmt.Errorf("unknown group key %s (want one of %s)", strconv.QuoteToASCII(cut(item, 32)), keyList())
		}
		for _, seen := range keys {
			if seen == k {
				return nil, fmt.Errorf("group key %s given twice", k)
			}
		}
		keys = append(keys, k)
	}
	if len(keys) > MaxKeys {
		return nil, fmt.Errorf("at most %d group keys", MaxKeys)
	}
	return keys, nil
}

// JoinKeys renders keys as ParseKeys reads them.
func JoinKeys(keys []Key) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

func (k Key) valid() bool {
	for _, v := range Keys() {
		if k == v {
			return true
		}
	}
	return false
}

func keyList() string {
	return JoinKeys(Keys())
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// memo keeps the last values of the keys that are costly to compute
// (addresses, times): logs come in runs of the same client and minute.
type memo struct {
	addrs    map[string]string // logged address + "\x00" + network flag → value
	unixMin  [3]int64          // per time key: the minute formatted in times
	times    [3][]byte
	haveTime [3]bool
}

// maxMemoAddrs bounds memo.addrs; it is emptied when full.
const maxMemoAddrs = 4096

// appendValue appends the value of key k for rec to dst.
func appendValue(dst []byte, k Key, rec *accesslog.Record) []byte {
	var m memo
	return m.appendValue(dst, k, rec)
}

// appendValue appends the value of key k for rec to dst.
func (m *memo) appendValue(dst []byte, k Key, rec *accesslog.Record) []byte {
	switch k {
	case KeyStatus:
		if s := rec.Status; s >= 100 && s <= 999 { // always, from the parser
			return append(dst, byte('0'+s/100), byte('0'+s/10%10), byte('0'+s%10))
		}
		if rec.Status == 0 {
			return append(dst, Missing...)
		}
		return strconv.AppendInt(dst, int64(rec.Status), 10)
	case KeyClass:
		if rec.Status < 100 || rec.Status > 999 {
			return append(dst, Missing...)
		}
		return append(dst, byte('0'+rec.Status/100), 'x', 'x')
	case KeyMethod:
		return field(dst, rec.Method)
	case KeyPath:
		if rec.Path == nil {
			return append(dst, Missing...)
		}
		return append(dst, rec.PathOnly()...)
	case KeyURL:
		return field(dst, rec.Path)
	case KeyReferrer:
		return field(dst, rec.Referrer)
	case KeyReferrerHost:
		return appendReferrerHost(dst, rec.Referrer)
	case KeyIP:
		return m.appendIP(dst, rec.RemoteAddr, false)
	case KeyIPNet:
		return m.appendIP(dst, rec.RemoteAddr, true)
	case KeyUA:
		return field(dst, rec.UserAgent)
	case KeyVHost:
		return field(dst, rec.VHost)
	case KeyMinute, KeyHour, KeyDay:
		if rec.Time.IsZero() {
			return append(dst, Missing...)
		}
		i := 2
		switch k {
		case KeyMinute:
			i = 0
		case KeyHour:
			i = 1
		}
		min := rec.Time.Unix() / 60
		if rec.Time.Unix() < 0 && rec.Time.Unix()%60 != 0 {
			min-- // floor, not truncation toward zero
		}
		if !m.haveTime[i] || m.unixMin[i] != min {
			t := time.Unix(min*60, 0).UTC()
			switch k {
			case KeyMinute:
				m.times[i] = t.AppendFormat(m.times[i][:0], "2006-01-02T15:04Z")
			case KeyHour:
				m.times[i] = t.Truncate(time.Hour).AppendFormat(m.times[i][:0], "2006-01-02T15:04Z")
			default:
				m.times[i] = t.AppendFormat(m.times[i][:0], "2006-01-02")
			}
			m.unixMin[i], m.haveTime[i] = min, true
		}
		return append(dst, m.times[i]...)
	}
	return dst
}

func field(dst, v []byte) []byte {
	if v == nil {
		return append(dst, Missing...)
	}
	return append(dst, v...)
}

// appendReferrerHost appends the authority of an absolute URL
// ("scheme://[user@]host[:port]/…"), lowercased and without user info. A
// referrer that is not an absolute URL is its own value, so that it stays
// visible.
func appendReferrerHost(dst, ref []byte) []byte {
	if len(ref) == 0 {
		return append(dst, Missing...)
	}
	i := bytes.Index(ref, []byte("://"))
	if i <= 0 {
		return append(dst, ref...)
	}
	host := ref[i+3:]
	if j := bytes.IndexAny(host, "/?#"); j >= 0 {
		host = host[:j]
	}
	if j := bytes.LastIndexByte(host, '@'); j >= 0 {
		host = host[j+1:]
	}
	for _, c := range host {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendIP appends the client address in canonical form, or with network
// its /24 (IPv4) or /48 (IPv6) network. A client logged as something else
// (a host name) is its own value.
func (m *memo) appendIP(dst, logged []byte, network bool) []byte {
	if logged == nil {
		return append(dst, Missing...)
	}
	if len(logged) > 64 {
		return appendIP(dst, logged, network)
	}
	var kb [66]byte
	key := append(append(kb[:0], logged...), 0, '4')
	if network {
		key[len(key)-1] = '6'
	}
	if v, ok := m.addrs[string(key)]; ok {
		return append(dst, v...)
	}
	start := len(dst)
	dst = appendIP(dst, logged, network)
	if m.addrs == nil || len(m.addrs) >= maxMemoAddrs {
		m.addrs = make(map[string]string, 64)
	}
	m.addrs[string(key)] = string(dst[start:])
	return dst
}

func appendIP(dst, logged []byte, network bool) []byte {
	a, ok := parseAddr(logged)
	if !ok {
		return append(dst, logged...)
	}
	if !network {
		return a.AppendTo(dst)
	}
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, _ := a.Prefix(bits)
	return p.AppendTo(dst)
}

// parseAddr parses an address as logged: bare, [IPv6], either with a
// :port, IPv6 with a %zone (dropped); IPv4-mapped IPv6 is unmapped.
func parseAddr(b []byte) (netip.Addr, bool) {
	s := string(b) // does not escape: the compiler keeps it on the stack for short inputs
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.WithZone("").Unmap(), true
		}
	}
	return netip.Addr{}, false
}
