package fleet

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestExpand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"web1", []string{"web1"}},
		{"alice@web1:2222", []string{"alice@web1:2222"}},
		{"web[01-03]", []string{"web01", "web02", "web03"}},
		{"web[1-3]", []string{"web1", "web2", "web3"}},
		{"web[8-11]", []string{"web8", "web9", "web10", "web11"}},
		{"web[08-11]", []string{"web08", "web09", "web10", "web11"}},
		{"web[098-101]", []string{"web098", "web099", "web100", "web101"}},
		{"web[01-100]", append(seq("web%02d", 1, 99), "web100")},
		{"web[1,3,5-7]", []string{"web1", "web3", "web5", "web6", "web7"}},
		{"web[007]", []string{"web007"}},
		{"web[0-2]", []string{"web0", "web1", "web2"}},
		{"web{a,b}", []string{"weba", "webb"}},
		{"web{,-dev}", []string{"web", "web-dev"}},
		{"{web,db}[1-2]", []string{"web1", "web2", "db1", "db2"}},
		{"r[1-2]n[1-2]", []string{"r1n1", "r1n2", "r2n1", "r2n2"}},
		{"{a,b{1,2}}x", []string{"ax", "b1x", "b2x"}},
		{"{a[1-2],c}.example.com", []string{"a1.example.com", "a2.example.com", "c.example.com"}},
		{"web1,db[1-2]", []string{"web1", "db1", "db2"}},
		{"web1,web1", []string{"web1", "web1"}},
		{"[::1]:2222", []string{"[::1]:2222"}},
		{"bob@[2001:db8::1]", []string{"bob@[2001:db8::1]"}},
		{"[fe80::1%eth0]:22", []string{"[fe80::1%eth0]:22"}},
		{"ssh://web[1-2]", []string{"ssh://web1", "ssh://web2"}},
		{"wéb[1-2]", []string{"wéb1", "wéb2"}},
	}
	for _, tt := range tests {
		got, err := Expand(tt.in, 1000)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Expand(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
		n, err := Count(tt.in)
		if err != nil || n != uint64(len(tt.want)) {
			t.Errorf("Count(%q) = %d, %v, want %d", tt.in, n, err, len(tt.want))
		}
	}
}

func seq(format string, lo, hi int) []string {
	var s []string
	for i := lo; i <= hi; i++ {
		s = append(s, fmt.Sprintf(format, i))
	}
	return s
}

func TestExpandErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "empty host name"},
		{"web[", "unclosed ["},
		{"web[1-3", "unclosed ["},
		{"web]", "unexpected ]"},
		{"web{a,b", "unclosed {"},
		{"web}", `unexpected '}'`},
		{"web[]", "empty range"},
		{"web[3-1]", "goes down"},
		{"web[1-]", "missing number"},
		{"web[-1]", "missing number"},
		{"web[1,,2]", "missing number"},
		{"web[a-c]", `unexpected 'a' in a range`},
		{"web[1-2-3]", `unexpected '-' in a range`},
		{"web[1234567890123456789]", "longer than 18 digits"},
		{"web 1", "space or unprintable character"},
		{"web\x1b[2J", "space or unprintable character"},
		{"web\u0085", "space or unprintable character"},
		{"web\u202e1", "space or unprintable character"},
		{"web\u00a01", "space or unprintable character"},
		{"web\xff", "invalid UTF-8"},
		{"web1,", "empty host name"},
		{"{,}", "empty host name"},
		{"[::1/64]", `unexpected '/' in an IPv6 address`},
		{"web[1-20000]", "names more than 10000 hosts"},
		{"[1-100][1-100][1-100][1-100][1-100][1-100][1-100][1-100][1-100][1-100][1-100]", "names more than 10000 hosts"},
		{strings.Repeat("{", 17) + "a" + strings.Repeat("}", 17), "nested more than 16 deep"},
		{strings.Repeat("a", MaxPatternLen+1), "longer than 4096 bytes"},
	}
	for _, tt := range tests {
		got, err := Expand(tt.in, MaxHosts)
		var pe *PatternError
		if err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) || got != nil {
			t.Errorf("Expand(%q) = %q, %v, want a *PatternError with %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCountSaturates(t *testing.T) {
	p := strings.Repeat("[0-999999999999999999]", 4)
	n, err := Count(p)
	if err != nil || n != countCap {
		t.Errorf("Count(%q) = %d, %v, want %d", p, n, err, countCap)
	}
}

func TestIsSet(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"web1", false},
		{"alice@web1:22", false},
		{"[::1]:22", false},
		{"bob@[::1]", false},
		{"@web", true},
		{"web[1]", true},
		{"web[1-2]", true},
		{"web{a}", true},
		{"web1,web2", true},
		{"[::1]:22,[::2]:22", true},
		{"web[", true},
	}
	for _, tt := range tests {
		if got := IsSet(tt.in); got != tt.want {
			t.Errorf("IsSet(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzExpand: no panic; an error means no hosts; accepted patterns name at
// most max hosts, exactly Count of them, none empty, none with a space or
// control byte, and each expanded host expands to itself.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"web[01-20]", "web{a,b}", "{a,b{1,2}}x[1,3,5-7]", "[::1]:22", "a,b", "web[", "{", "x[9-10]y{,z}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		const max = 500
		hosts, err := Expand(s, max)
		if err != nil {
			if hosts != nil {
				t.Fatalf("Expand(%q) = %q with error %v", s, hosts, err)
			}
			return
		}
		n, cerr := Count(s)
		if cerr != nil || n != uint64(len(hosts)) || len(hosts) > max || len(hosts) == 0 {
			t.Fatalf("Expand(%q) gave %d hosts, Count %d, %v", s, len(hosts), n, cerr)
		}
		if len(hosts) > 1 && !IsSet(s) {
			t.Fatalf("IsSet(%q) = false, but it names %d hosts", s, len(hosts))
		}
		for _, h := range hosts {
			if h == "" || strings.ContainsFunc(h, func(r rune) bool { return r == ' ' || !unicode.IsPrint(r) }) {
				t.Fatalf("Expand(%q) produced host %q", s, h)
			}
			again, err := Expand(h, max)
			if err != nil || len(again) != 1 || again[0] != h {
				t.Fatalf("Expand(%q) produced %q, which expands to %q, %v", s, h, again, err)
			}
		}
	})
}
