package redact

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// seedLines adds the accesslog fixtures and some hostile lines to f.
func seedLines(f *testing.F, add func(line []byte)) {
	files, _ := filepath.Glob(filepath.Join("..", "accesslog", "testdata", "*.log"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range bytes.SplitAfter(data, []byte("\n")) {
			if len(l) > 0 {
				add(l)
			}
		}
	}
	for _, l := range []string{
		`203.0.113.7 - frank [10/Oct/2000:13:55:36 -0700] "GET /p?q=secret HTTP/1.1" 200 2326 "http://r/?a=b" "UA"` + "\n",
		`::ffff:1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /?\"?\\ HTTP/1.1" 200 1` + "\n",
		"1.2.3.4?x\n5.6.7.8 ?a?b\r\n",
		`{"a":[{"user":"x"},1,"?q"],"remote_addr":"h.example","args":"q"}`,
		"[2001:db8::1]:80 a:2001:db8:1:2::3: ::1. 010.001.002.003",
	} {
		add([]byte(l))
	}
}

// FuzzLine checks the promises of Line on any input: no panic, the line
// ending kept, no line break added, no query string and no unmasked
// address left, nothing changed without keys.
func FuzzLine(f *testing.F) {
	seedLines(f, func(l []byte) { f.Add(uint8(0xf), l) })
	keySets := [][]string{}
	for mask := 0; mask < 16; mask++ {
		var ks []string
		for i, k := range Keys() {
			if mask&(1<<i) != 0 {
				ks = append(ks, k)
			}
		}
		keySets = append(keySets, ks)
	}
	f.Fuzz(func(t *testing.T, mask uint8, line []byte) {
		keys := keySets[mask%16]
		r, err := New(keys)
		if err != nil {
			t.Fatal(err)
		}
		// Twice, so the remembered format of the first call is used.
		out := r.Line(nil, line)
		if again := r.Line(nil, line); !bytes.Equal(out, again) {
			t.Fatalf("second Line differs:\n%q\n%q", out, again)
		}
		if len(keys) == 0 && !bytes.Equal(out, line) {
			t.Fatalf("no keys changed %q to %q", line, out)
		}
		// A line (no line break but its ending) keeps its ending.
		nl := bytes.IndexByte(line, '\n')
		oneLine := nl < 0 || nl == len(line)-1
		if oneLine && bytes.HasSuffix(line, []byte("\n")) != bytes.HasSuffix(out, []byte("\n")) ||
			bytes.HasSuffix(line, []byte("\r\n")) && !bytes.HasSuffix(out, []byte("\r\n")) {
			t.Fatalf("line ending changed: %q -> %q", line, out)
		}
		if bytes.Count(out, []byte("\n")) > bytes.Count(line, []byte("\n")) {
			t.Fatalf("line break added: %q -> %q", line, out)
		}
		has := func(k string) bool {
			for _, x := range keys {
				if x == k {
					return true
				}
			}
			return false
		}
		if has(Query) && bytes.IndexByte(out, '?') >= 0 {
			t.Fatalf("query left in %q (from %q)", out, line)
		}
		if has(IP) {
			checkMasked(t, line, out)
		}
	})
}

// checkMasked fails if out holds an IP address, as net/netip reads it,
// that is not masked: an IPv4 address (a run of digits and dots) whose
// last octet is not 0, or an IPv6 address (a run of address bytes) with
// bits set beyond its /48. The runs are trimmed as appendRun trims them.
func checkMasked(t *testing.T, in, out []byte) {
	t.Helper()
	for _, run := range runs(out, func(c byte) bool { return isDigitOrDot(c) }) {
		run = bytes.Trim(run, ".")
		if a, err := netip.ParseAddr(string(run)); err == nil && a.Is4() && a.As4()[3] != 0 {
			t.Fatalf("IPv4 address %s unmasked in %q (from %q)", run, out, in)
		}
	}
	for _, run := range runs(out, addrByte) {
		if bytes.IndexByte(run, ':') < 0 {
			continue
		}
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
		a, err := netip.ParseAddr(string(run[lo:hi]))
		if err != nil || a.Is4() {
			continue // IPv4 addresses were checked above
		}
		b := a.As16()
		if a.Is4In6() && b[15] != 0 || !a.Is4In6() && !allZero(b[6:]) {
			t.Fatalf("IPv6 address %s unmasked in %q (from %q)", run[lo:hi], out, in)
		}
	}
}

func runs(b []byte, in func(byte) bool) [][]byte {
	var out [][]byte
	for i := 0; i < len(b); {
		if !in(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && in(b[j]) {
			j++
		}
		out = append(out, b[i:j])
		i = j
	}
	return out
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// FuzzParseIP checks the address parsers against net/netip: everything
// netip reads as an address (without zone) they read the same way.
func FuzzParseIP(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::", "::1", "1::", "2001:db8::1", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8",
		"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7::", "::1.2.3.4", "01.2.3.4", "1.2.3", "1:::2", "12345::", "::ffff:01.2.3.4"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, err := netip.ParseAddr(string(b))
		if bytes.IndexByte(b, '%') >= 0 {
			err = errZone
		}
		v4, ok4 := parseIPv4(b)
		v6, ok6 := parseIPv6(b)
		if ok4 && ok6 {
			t.Fatalf("%q parsed as IPv4 and IPv6", b)
		}
		switch {
		case err != nil:
			if ok6 {
				// Only leading zeros in a dotted tail may make the
				// difference.
				if w, err := netip.ParseAddr(string(stripZeros(b))); err != nil || w.As16() != v6 {
					t.Fatalf("parseIPv6(%q) = %v, netip refuses it: %v", b, netip.AddrFrom16(v6), err)
				}
			}
			// parseIPv4 may accept leading zeros, which netip refuses.
			if ok4 && bytes.Count(b, []byte(".")) != 3 {
				t.Fatalf("parseIPv4(%q) = %v", b, v4)
			}
		case want.Is4():
			if !ok4 || v4 != want.As4() {
				t.Fatalf("parseIPv4(%q) = %v, %v; want %v", b, v4, ok4, want)
			}
		default:
			if !ok6 || v6 != want.As16() {
				t.Fatalf("parseIPv6(%q) = %v, %v; want %v", b, netip.AddrFrom16(v6), ok6, want)
			}
		}
	})
}

// stripZeros removes the leading zeros of the octets of a dotted IPv4
// tail of b (after its last ':').
func stripZeros(b []byte) []byte {
	c := bytes.LastIndexByte(b, ':')
	head, tail := b[:c+1], b[c+1:]
	if bytes.IndexByte(tail, '.') < 0 {
		return b
	}
	parts := bytes.Split(tail, []byte("."))
	for i, p := range parts {
		for len(p) > 1 && p[0] == '0' {
			p = p[1:]
		}
		parts[i] = p
	}
	return append(append([]byte{}, head...), bytes.Join(parts, []byte("."))...)
}

var errZone = errors.New("zone: not an address for the parsers")

// FuzzWriter checks that a Writer, fed the same bytes in any split, writes
// what Line writes for each whole line.
func FuzzWriter(f *testing.F) {
	seedLines(f, func(l []byte) { f.Add(l, uint8(7)) })
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		r1, _ := New(all)
		r2, _ := New(all)
		var want []byte
		for _, l := range bytes.SplitAfter(data, []byte("\n")) {
			want = r1.Line(want, l)
		}
		var got bytes.Buffer
		w := NewWriter(&got, r2, 1<<16)
		for p := data; len(p) > 0; {
			n := int(split)%len(p) + 1
			if _, err := w.Write(p[:n]); err != nil {
				t.Fatal(err)
			}
			p = p[n:]
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("Writer wrote %q, Line %q", got.Bytes(), want)
		}
	})
}
