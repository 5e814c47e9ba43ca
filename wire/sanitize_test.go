package wire

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want, lines string }{
		{"plain text, café", "plain text, café", "plain text, café"},
		{"\x1b[2J\x07bell", `\x1b[2J\x07bell`, `\x1b[2J\x07bell`},
		{"a\tb\nc", `a\x09b\x0ac`, "a\tb\nc"},
		{"over\rwrite", `over\x0dwrite`, `over\x0dwrite`},
		{"crlf\r\nend\r", `crlf\x0d\x0aend\x0d`, "crlf\nend\\x0d"},
		{"nul\x00del\x7f", `nul\x00del\x7f`, `nul\x00del\x7f`},
		{"caf\xe9 \xff\xfe", `caf\xe9 \xff\xfe`, `caf\xe9 \xff\xfe`},
		{"\u009b31m C1 CSI", `\u009b31m C1 CSI`, `\u009b31m C1 CSI`},
		{"gpj.\u202eexe", `gpj.\u202eexe`, `gpj.\u202eexe`},
		{"\u2066\u2067\u2068\u2069\u200e\u200f\u061c", `\u2066\u2067\u2068\u2069\u200e\u200f\u061c`, `\u2066\u2067\u2068\u2069\u200e\u200f\u061c`},
		{"zero\u200bwidth\ufeff", `zero\u200bwidth\ufeff`, `zero\u200bwidth\ufeff`},
		{"line\u2028para\u2029", `line\u2028para\u2029`, `line\u2028para\u2029`},
		{"tag\U000e0041", `tag\U000e0041`, `tag\U000e0041`},
		{"kept: \\x1b \ufffd 日本 \u00a0", "kept: \\x1b \ufffd 日本 \u00a0", "kept: \\x1b \ufffd 日本 \u00a0"},
	} {
		if got := Sanitize(tc.in); got != tc.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := string(AppendSanitized([]byte("x"), []byte(tc.in))); got != "x"+tc.want {
			t.Errorf("AppendSanitized(x, %q) = %q, want %q", tc.in, got, "x"+tc.want)
		}
		if got := SanitizeLines(tc.in); got != tc.lines {
			t.Errorf("SanitizeLines(%q) = %q, want %q", tc.in, got, tc.lines)
		}
	}
}

func TestSanitizeKeepsCleanString(t *testing.T) {
	s := strings.Repeat("GET /index.html ", 4)
	if got := Sanitize(s); got != s {
		t.Fatalf("Sanitize(%q) = %q", s, got)
	}
	if n := testing.AllocsPerRun(100, func() { Sanitize(s) }); n != 0 {
		t.Errorf("Sanitize of clean text allocates %v times", n)
	}
}

// FuzzSanitize checks that nothing unsafe survives, that sanitizing twice
// changes nothing more, and that safe text is kept.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "a\x1b[31mb", "\xc2\x9b", "\u202e", "\r\n\t", "\xff", "\U000e0001", `\x1b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, lines := range []bool{false, true} {
			sanitize, allowed := Sanitize, func(rune) bool { return false }
			if lines {
				sanitize, allowed = SanitizeLines, func(r rune) bool { return r == '\n' || r == '\t' }
			}
			out := sanitize(s)
			if !utf8.ValidString(out) {
				t.Fatalf("lines=%v: %q -> %q: not UTF-8", lines, s, out)
			}
			for _, r := range out {
				if Unsafe(r) && !allowed(r) {
					t.Fatalf("lines=%v: %q -> %q holds %U", lines, s, out, r)
				}
			}
			if again := sanitize(out); again != out {
				t.Fatalf("lines=%v: not idempotent: %q -> %q -> %q", lines, s, out, again)
			}
			if safe := utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return Unsafe(r) && !allowed(r) }) < 0; safe != (out == s) {
				t.Fatalf("lines=%v: %q -> %q (safe input %v)", lines, s, out, safe)
			}
		}
		if got := string(AppendSanitized(nil, []byte(s))); got != Sanitize(s) {
			t.Fatalf("AppendSanitized(%q) = %q, Sanitize = %q", s, got, Sanitize(s))
		}
	})
}
