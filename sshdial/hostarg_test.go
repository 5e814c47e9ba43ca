package sshdial

import (
	"strings"
	"testing"
)

func TestParseHostArg(t *testing.T) {
	tests := []struct {
		in   string
		want hostArg
	}{
		{"web1", hostArg{host: "web1"}},
		{"alice@web1", hostArg{user: "alice", host: "web1"}},
		{"web1:2222", hostArg{host: "web1", port: 2222}},
		{"alice@web1.example.com:22", hostArg{user: "alice", host: "web1.example.com", port: 22}},
		{"127.0.0.1:2222", hostArg{host: "127.0.0.1", port: 2222}},
		{"[::1]:2222", hostArg{host: "::1", port: 2222}},
		{"bob@[::1]:2222", hostArg{user: "bob", host: "::1", port: 2222}},
		{"[::1]", hostArg{host: "::1"}},
		{"::1", hostArg{host: "::1"}},
		{"fe80::1%eth0", hostArg{host: "fe80::1%eth0"}},
		{"[fe80::1%eth0]:22", hostArg{host: "fe80::1%eth0", port: 22}},
		{"[web1]:2200", hostArg{host: "web1", port: 2200}},
		{"me@corp@web1", hostArg{user: "me@corp", host: "web1"}},
		{"ssh://alice@web1:2222", hostArg{user: "alice", host: "web1", port: 2222}},
		{"ssh://web1", hostArg{host: "web1"}},
		{"my_host+1", hostArg{host: "my_host+1"}},
	}
	for _, tt := range tests {
		got, err := parseHostArg(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseHostArg(%q) = %+v, %v, want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseHostArgErrors(t *testing.T) {
	for _, in := range []string{
		"", "ssh://", "@web1", "alice@", "web1:", "web1:0", "web1:65536", "web1:22x",
		"web1:-1", "web1:+22", "[::1", "[::1]x", "[::1]:", "[]:22", "1:2:3", "a:b:c:22",
		"-oProxyCommand=x", "alice@-web1", "-alice@web1", "we b1", "web1\n", "web\x001",
		"web/1", "web1;id", "$(id)@web1", "al ice@web1", "al\tice@web1", "*", "web?",
		"[web1:x]:22", "web1%x", "ssh://web1/", strings.Repeat("a", 2000),
		"000::0%000]", "[fe80::1%a]b]:22", "fe80::1%a b", "fe80::1%a/b",
	} {
		got, err := parseHostArg(in)
		if err == nil {
			t.Errorf("parseHostArg(%q) = %+v, want an error", in, got)
		}
		if got != (hostArg{}) {
			t.Errorf("parseHostArg(%q) returned %+v with its error", in, got)
		}
	}
}

func FuzzParseHostArg(f *testing.F) {
	for _, s := range []string{"web1", "alice@web1:2222", "[::1]:22", "::1", "ssh://a@b:1", "me@corp@h", "[fe80::1%eth0]:22", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseHostArg(s)
		if err != nil {
			if got != (hostArg{}) {
				t.Fatalf("parseHostArg(%q) = %+v with error %v", s, got, err)
			}
			return
		}
		if got.host == "" || got.port < 0 || got.port > 65535 {
			t.Fatalf("parseHostArg(%q) = %+v", s, got)
		}
		again, err := parseHostArg(got.String())
		if err != nil || again != got {
			t.Fatalf("parseHostArg(%q) = %+v; String %q parses to %+v, %v", s, got, got.String(), again, err)
		}
	})
}
