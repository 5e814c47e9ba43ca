package redact

import (
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/accesslog"
)

// TestJSONKeysAgree: every JSON key from which the parser takes a client
// host, a user or a user agent is redacted, whatever its case; the keys
// come from accesslog's one table, so the two cannot drift apart.
func TestJSONKeysAgree(t *testing.T) {
	const secret = "secret-value.example"
	keys := []string{
		"remote_addr", "remote_ip", "client_ip", "remote_host", "client", "ip",
		"remote_user", "user", "user_id", "userid", "username", "ident",
		"http_user_agent", "user_agent", "useragent", "user-agent",
		"uri", "msg", "level", "http_referer",
	}
	r, err := New(Keys())
	if err != nil {
		t.Fatal(err)
	}
	p := accesslog.NewParser(accesslog.JSON())
	redacted := 0
	for _, key := range keys {
		for _, k := range []string{key, strings.ToUpper(key)} {
			line := `{"status":200,"` + k + `":"` + secret + `"}`
			var rec accesslog.Record
			if err := p.Parse([]byte(line), &rec); err != nil {
				t.Fatalf("Parse(%s): %v", line, err)
			}
			parsed := string(rec.RemoteAddr) == secret || string(rec.User) == secret ||
				string(rec.Ident) == secret || string(rec.UserAgent) == secret
			sensitive := accesslog.JSONFieldOf(strings.ToLower(k))
			want := sensitive == accesslog.JSONClient || sensitive == accesslog.JSONUser ||
				sensitive == accesslog.JSONIdent || sensitive == accesslog.JSONUserAgent
			out := string(r.Line(nil, []byte(line)))
			if gone := !strings.Contains(out, secret); gone != want || parsed && !gone {
				t.Errorf("key %q: parsed %v, redacted %v (want %v): %s", k, parsed, gone, want, out)
			}
			if gone := !strings.Contains(out, secret); gone {
				redacted++
			}
		}
	}
	if redacted != 2*16 {
		t.Errorf("%d keys redacted, want 32", redacted)
	}
}
