package redact

import (
	"net/netip"
	"strconv"
)

// addrByte reports whether c can appear in an IP address literal: a hex
// digit, '.' or ':'.
func addrByte(c byte) bool {
	return '0' <= c && c <= ':' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '.'
}

// appendRun appends run, a maximal run of address bytes, with every IP
// address in it masked.
func appendRun(dst, run []byte) []byte {
	hasColon, hasDot := false, false
	for _, c := range run {
		switch c {
		case ':':
			hasColon = true
		case '.':
			hasDot = true
		}
	}
	if hasColon {
		// An IPv6 literal, possibly after one ':' (name:ADDR) or before
		// one ':' or trailing dots (end of a sentence).
		lo, hi := 0, len(run)
		for hi > lo && run[hi-1] == '.' {
			hi--
		}
		if hi-lo > 2 && run[lo] == ':' && run[lo+1] != ':' {
			lo++
		}
		if hi-lo > 2 && run[hi-1] == ':' && run[hi-2] != ':' {
			hi--
		}
		if a, ok := parseIPv6(run[lo:hi]); ok {
			dst = append(dst, run[:lo]...)
			dst = appendMasked6(dst, a)
			return append(dst, run[hi:]...)
		}
	}
	if !hasDot {
		return append(dst, run...)
	}
	// IPv4 literals among the digits and dots.
	for i := 0; i < len(run); {
		if !isDigitOrDot(run[i]) {
			dst = append(dst, run[i])
			i++
			continue
		}
		j := i
		for j < len(run) && isDigitOrDot(run[j]) {
			j++
		}
		dst = appendV4Run(dst, run[i:j])
		i = j
	}
	return dst
}

// appendV4Run appends a run of digits and dots, masking it if, without
// leading and trailing dots, it is an IPv4 address.
func appendV4Run(dst, run []byte) []byte {
	lo, hi := 0, len(run)
	for lo < hi && run[lo] == '.' {
		lo++
	}
	for hi > lo && run[hi-1] == '.' {
		hi--
	}
	a, ok := parseIPv4(run[lo:hi])
	if !ok {
		return append(dst, run...)
	}
	dst = append(dst, run[:lo]...)
	dst = appendMasked4(dst, a)
	return append(dst, run[hi:]...)
}

func isDigitOrDot(c byte) bool { return c == '.' || '0' <= c && c <= '9' }

// appendMasked4 appends a with its last octet zeroed (its /24).
func appendMasked4(dst []byte, a [4]byte) []byte {
	for i := 0; i < 3; i++ {
		dst = strconv.AppendUint(dst, uint64(a[i]), 10)
		dst = append(dst, '.')
	}
	return append(dst, '0')
}

// appendMasked6 appends a cut to its /48, or, for an IPv4-mapped address,
// to the /24 of the IPv4 address.
func appendMasked6(dst []byte, a [16]byte) []byte {
	addr := netip.AddrFrom16(a)
	if addr.Is4In6() {
		a[15] = 0
	} else {
		clear(a[6:])
	}
	return netip.AddrFrom16(a).AppendTo(dst)
}

// parseIPv4 parses a dotted-quad IPv4 address. Unlike net/netip it
// accepts leading zeros (010.1.1.1), which people read as an address too.
func parseIPv4(b []byte) (a [4]byte, ok bool) {
	part, n, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c == '.':
			if digits == 0 || part == 3 {
				return a, false
			}
			a[part] = byte(n)
			part, n, digits = part+1, 0, 0
		case '0' <= c && c <= '9':
			n = n*10 + int(c-'0')
			digits++
			if digits > 3 || n > 255 {
				return a, false
			}
		default:
			return a, false
		}
	}
	if digits == 0 || part != 3 {
		return a, false
	}
	a[3] = byte(n)
	return a, true
}

// parseIPv6 parses an IPv6 address without zone: groups of one to four
// hex digits, at most one "::", optionally ending in a dotted IPv4
// address. It accepts what net/netip.ParseAddr accepts for such text, and
// leading zeros in the IPv4 part (see parseIPv4).
func parseIPv6(b []byte) (a [16]byte, ok bool) {
	ellipsis := -1 // byte index in a where "::" stands
	i, n := 0, 0   // position in b, bytes of a filled
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis, i = 0, 2
		if i == len(b) {
			return a, true
		}
	}
	for i < len(b) {
		// A group, or the dotted IPv4 tail.
		j, v := i, 0
		for j < len(b) && j-i < 4 && isHex(b[j]) {
			v = v<<4 | int(unhex(b[j]))
			j++
		}
		if j == i {
			return a, false
		}
		if j < len(b) && b[j] == '.' {
			if n > 12 {
				return a, false
			}
			v4, ok := parseIPv4(b[i:])
			if !ok {
				return a, false
			}
			copy(a[n:], v4[:])
			n += 4
			break // the IPv4 part ends the address
		}
		if n == 16 {
			return a, false
		}
		a[n], a[n+1] = byte(v>>8), byte(v)
		n += 2
		i = j
		if i == len(b) {
			break
		}
		if b[i] != ':' || i+1 == len(b) {
			return a, false
		}
		i++
		if b[i] == ':' {
			if ellipsis >= 0 {
				return a, false
			}
			ellipsis = n
			i++
			if i == len(b) {
				break
			}
		}
	}
	if ellipsis < 0 {
		return a, n == 16
	}
	if n == 16 {
		return a, false // "::" must stand for at least one group
	}
	// Move the groups after the ellipsis to the end.
	k := 16 - n
	copy(a[ellipsis+k:], a[ellipsis:n])
	clear(a[ellipsis : ellipsis+k])
	return a, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
