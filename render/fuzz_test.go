package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/weblogctl/weblogctl/accesslog"
)

// FuzzRender checks, for any line in any built-in format, that json
// output is one valid object and that pretty output holds no control
// byte other than its final newline.
func FuzzRender(f *testing.F) {
	for _, l := range []string{hit200, hit404, noRef, tls, bad, evil, "\xc2\x9b\xe2\x80\xae\xff"} {
		f.Add(uint8(1), []byte(l))
	}
	f.Add(uint8(4), []byte(`{"status":200,"request":"GET /\u001b HTTP/1.1","http_user_agent":"\ud800 \"x\\"}`))
	f.Fuzz(func(t *testing.T, which uint8, line []byte) {
		formats := []accesslog.Format{accesslog.Common(), accesslog.Combined(), accesslog.VHostCombined(), accesslog.NginxMain(), accesslog.JSON()}
		var rec accesslog.Record
		perr := accesslog.NewParser(formats[int(which)%len(formats)]).Parse(line, &rec)

		var out bytes.Buffer
		r, _ := New("json", &out, Options{Label: "h"})
		if err := r.Render(line, &rec, perr); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out.Bytes(), &m); err != nil || !utf8.Valid(out.Bytes()) ||
			strings.Count(out.String(), "\n") != 1 {
			t.Fatalf("json of %q = %q: %v", line, out.Bytes(), err)
		}

		out.Reset()
		r, _ = New("pretty", &out, Options{Color: false})
		if err := r.Render(line, &rec, perr); err != nil {
			t.Fatal(err)
		}
		got := out.Bytes()
		if len(got) == 0 || got[len(got)-1] != '\n' {
			t.Fatalf("pretty of %q = %q: no final newline", line, got)
		}
		for _, c := range got[:len(got)-1] {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("pretty of %q = %q: control byte %#x", line, got, c)
			}
		}
		if !utf8.Valid(got) {
			t.Fatalf("pretty of %q = %q: invalid UTF-8", line, got)
		}
	})
}
