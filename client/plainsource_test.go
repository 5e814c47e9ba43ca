package client

import (
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
)

// TestPlainFilter: plain mode's local filter keeps the matching lines and
// ends at the --until-path request, which it passes on only when it
// matches; an empty spec keeps everything without parsing; a bad spec is
// an error.
func TestPlainFilter(t *testing.T) {
	const (
		ok404 = `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 404 12 "-" "ua"` + "\n"
		ok200 = `1.2.3.4 - - [17/May/2015:10:05:04 +0000] "GET /b HTTP/1.1" 200 12 "-" "ua"` + "\n"
		stop  = `1.2.3.4 - - [17/May/2015:10:05:05 +0000] "GET /kill HTTP/1.1" 404 0 "-" "ua"` + "\n"
		stop2 = `1.2.3.4 - - [17/May/2015:10:05:05 +0000] "GET /kill HTTP/1.1" 200 0 "-" "ua"` + "\n"
		junk  = "not an access log line\n"
	)
	spec := func(opts ...string) accesslog.FilterSpec {
		var s accesslog.FilterSpec
		for i := 0; i < len(opts); i += 2 {
			if err := s.Set(opts[i], opts[i+1]); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	tests := []struct {
		spec       accesslog.FilterSpec
		line       string
		keep, stop bool
	}{
		{spec("status", "404"), ok404, true, false},
		{spec("status", "404"), ok200, false, false},
		{spec("status", "404"), junk, false, false},
		{spec("grep", "^not"), junk, true, false},
		{spec("status", "404", "until-path", "/kill"), stop, true, true},
		{spec("status", "404", "until-path", "/kill"), stop2, false, true},
		{spec("until-path", "/kill"), ok200, true, false},
	}
	for _, tt := range tests {
		keep, err := PlainFilter(tt.spec, accesslog.Format{}, time.Now())
		if err != nil {
			t.Fatalf("PlainFilter(%v): %v", tt.spec.Args(), err)
		}
		if k, s := keep([]byte(tt.line)); k != tt.keep || s != tt.stop {
			t.Errorf("%v on %q: keep %v stop %v, want %v %v", tt.spec.Args(), tt.line, k, s, tt.keep, tt.stop)
		}
	}
	if keep, err := PlainFilter(accesslog.FilterSpec{}, accesslog.Format{}, time.Now()); keep != nil || err != nil {
		t.Errorf("PlainFilter(empty) = %v, %v; want nil, nil", keep != nil, err)
	}
	if keep, err := PlainFilter(spec("grep", "("), accesslog.Format{}, time.Now()); keep != nil || err == nil {
		t.Errorf("PlainFilter(--grep '(') = %v, %v; want nil and an error", keep != nil, err)
	}
}
