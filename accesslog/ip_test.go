package accesslog

import (
	"net/netip"
	"testing"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		in, want string // want "" for an error
	}{
		{"192.0.2.1", "192.0.2.1"},
		{"192.0.2.1:8080", "192.0.2.1"},
		{"255.255.255.255", "255.255.255.255"},
		{"256.1.1.1", ""},
		{"01.2.3.4", ""},
		{"1.2.3", ""},
		{"1.2.3.4.5", ""},
		{"1.2.3.4:", ""},
		{"::1", "::1"},
		{"::", "::"},
		{"2001:db8::7", "2001:db8::7"},
		{"2001:db8:0:0:0:0:0:7", "2001:db8::7"},
		{"[2001:db8::7]:443", "2001:db8::7"},
		{"[2001:db8::7]", "2001:db8::7"},
		{"fe80::1%eth0", "fe80::1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"64:ff9b::192.0.2.1", "64:ff9b::c000:201"},
		{"1::2::3", ""},
		{"1:2:3:4:5:6:7:8:9", ""},
		{"1:2:3:4:5:6:7", ""},
		{"12345::", ""},
		{"example.com", ""},
		{"-", ""},
		{"", ""},
		{":1", ""},
		{"1:", ""},
	}
	for _, tt := range tests {
		a, ok := parseAddr([]byte(tt.in))
		got := ""
		if ok {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("parseAddr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseAddr checks parseAddr against net/netip on bare addresses.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "2001:db8::7", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "1::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseAddr([]byte(s))
		want, err := netip.ParseAddr(s)
		if err != nil || want.Zone() != "" {
			return // parseAddr also takes ports and zones; only compare plain addresses
		}
		if !ok || got != want.Unmap() {
			t.Fatalf("parseAddr(%q) = %v, %v; netip says %v", s, got, ok, want)
		}
	})
}
