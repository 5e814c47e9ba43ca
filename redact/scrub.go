package redact

// scrub appends seg to dst with what needs no parsing redacted: IP
// addresses when ip is set, query strings when query is set. open says
// that seg continues a query string that the previous segment left open;
// the result says whether seg leaves one open (it ends inside a query).
func scrub(dst, seg []byte, ip, query, open bool) ([]byte, bool) {
	start, i := 0, 0 // seg[start:i] is pending, to be copied as it is
	if open {
		i = queryEnd(seg, 0)
		start = i
		open = i == len(seg)
	}
	for i < len(seg) {
		c := seg[i]
		switch {
		case query && c == '?':
			dst = append(dst, seg[start:i]...)
			i = queryEnd(seg, i+1)
			start = i
			open = i == len(seg)
		case ip && addrByte(c) && (c == ':' || c == '.' || i+1 < len(seg) && addrByte(seg[i+1])):
			// A run of address bytes. The shortest one worth masking
			// is "::"; a single hex digit is a letter or digit.
			j := i + 1
			for j < len(seg) && addrByte(seg[j]) {
				j++
			}
			if j-i >= 3 {
				dst = append(dst, seg[start:i]...)
				dst = appendRun(dst, seg[i:j])
				start = j
			}
			i = j
		default:
			i++
		}
	}
	return append(dst, seg[start:]...), open
}

// queryEnd returns the end of the query string whose first byte (after
// the '?') is at i: the offset of the next space, control byte or
// unescaped double quote, or len(seg). A backslash escapes the byte after
// it, as in CLF (\") and JSON (\") strings, unless that is a control byte.
func queryEnd(seg []byte, i int) int {
	for i < len(seg) {
		switch c := seg[i]; {
		case c == '\\' && i+1 < len(seg) && seg[i+1] >= 0x20 && seg[i+1] != 0x7f:
			i += 2
		case c == '"' || c == ' ' || c < 0x20 || c == 0x7f:
			return i
		default:
			i++
		}
	}
	return len(seg)
}
