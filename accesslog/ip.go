package accesslog

import (
	"bytes"
	"net/netip"
)

// parseAddr parses a client address as logged, without allocating:
// IPv4, IPv6 (with an optional %zone, which is dropped), either with a
// :port, and [IPv6] with or without one. IPv4-mapped IPv6 addresses are
// unmapped.
func parseAddr(b []byte) (netip.Addr, bool) {
	if len(b) > 0 && b[0] == '[' {
		end := bytes.IndexByte(b, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		rest := b[end+1:]
		if len(rest) > 0 && (rest[0] != ':' || !allDigits(rest[1:])) {
			return netip.Addr{}, false
		}
		b = b[1:end]
	}
	if a, n, ok := parseIPv4(b); ok {
		if n == len(b) || (b[n] == ':' && allDigits(b[n+1:])) {
			return netip.AddrFrom4(a), true
		}
		return netip.Addr{}, false
	}
	if i := bytes.IndexByte(b, '%'); i >= 0 {
		b = b[:i]
	}
	a, ok := parseIPv6(b)
	if !ok {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16(a).Unmap(), true
}

// parseIPv4 parses a dotted quad at the start of b and returns how many
// bytes it used.
func parseIPv4(b []byte) (a [4]byte, n int, ok bool) {
	for k := 0; k < 4; k++ {
		if k > 0 {
			if n == len(b) || b[n] != '.' {
				return a, 0, false
			}
			n++
		}
		v, digits := 0, 0
		for n < len(b) && isDigit(b[n]) {
			if digits > 0 && v == 0 { // no leading zeros
				return a, 0, false
			}
			v = v*10 + int(b[n]-'0')
			digits++
			n++
			if v > 255 {
				return a, 0, false
			}
		}
		if digits == 0 {
			return a, 0, false
		}
		a[k] = byte(v)
	}
	return a, n, true
}

// parseIPv6 parses the whole of b as an IPv6 address.
func parseIPv6(b []byte) (ip [16]byte, ok bool) {
	ellipsis := -1 // index in ip where "::" was
	i, n := 0, 0   // index in ip, offset in b
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = 0
		n = 2
		if n == len(b) {
			return ip, true
		}
	}
	for i < 16 {
		// IPv4 tail?
		if i <= 12 {
			if a, m, ok := parseIPv4(b[n:]); ok && n+m == len(b) {
				copy(ip[i:], a[:])
				i += 4
				n = len(b)
				break
			}
		}
		v, digits := 0, 0
		for n < len(b) && isHex(b[n]) && digits < 4 {
			v = v<<4 | int(unhex(b[n]))
			n++
			digits++
		}
		if digits == 0 {
			return ip, false
		}
		ip[i], ip[i+1] = byte(v>>8), byte(v)
		i += 2
		if n == len(b) {
			break
		}
		if b[n] != ':' || n+1 == len(b) {
			return ip, false
		}
		n++
		if b[n] == ':' {
			if ellipsis >= 0 {
				return ip, false
			}
			ellipsis = i
			n++
			if n == len(b) {
				break
			}
		}
	}
	if n != len(b) {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		gap := 16 - i
		copy(ip[ellipsis+gap:], ip[ellipsis:i])
		for k := ellipsis; k < ellipsis+gap; k++ {
			ip[k] = 0
		}
	} else if ellipsis >= 0 && ellipsis == i {
		return ip, false // "::" standing for no groups
	}
	return ip, true
}
