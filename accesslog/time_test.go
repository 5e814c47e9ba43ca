package accesslog

import (
	"testing"
	"time"
)

func TestTimes(t *testing.T) {
	tests := []struct {
		kind fieldKind
		in   string
		want string // RFC 3339 with nanoseconds; "" for an error
	}{
		{fTimeCLF, "10/Oct/2000:13:55:36 -0700", "2000-10-10T13:55:36-07:00"},
		{fTimeCLF, "29/Feb/2000:00:00:00 +0000", "2000-02-29T00:00:00Z"},
		{fTimeCLF, "29/Feb/1900:00:00:00 +0000", ""},
		{fTimeCLF, "10/Oct/2000:24:00:00 +0000", ""},
		{fTimeCLF, "10/oct/2000:13:55:36 -0700", ""},
		{fTimeCLF, "10/Oct/2000:13:55:36 -07:0", ""},
		{fTimeCLF, "10/Oct/2000:13:55:36 +0530", "2000-10-10T13:55:36+05:30"},
		{fTimeISO, "2015-05-17T10:05:03+00:00", "2015-05-17T10:05:03Z"},
		{fTimeISO, "2015-05-17T10:05:03.123Z", "2015-05-17T10:05:03.123Z"},
		{fTimeISO, "2015-05-17 10:05:03-0700", "2015-05-17T10:05:03-07:00"},
		{fTimeISO, "2015-05-17T10:05:03+02", "2015-05-17T10:05:03+02:00"},
		{fTimeISO, "2015-05-17T10:05:03", ""},
		{fTimeISO, "2015-13-17T10:05:03Z", ""},
		{fTimeSec, "1431857103.123", "2015-05-17T10:05:03.123Z"},
		{fTimeSec, "1431857103", "2015-05-17T10:05:03Z"},
		{fTimeMilli, "1431857103123", "2015-05-17T10:05:03.123Z"},
		{fTimeMicro, "1431857103123456", "2015-05-17T10:05:03.123456Z"},
		{fTimeSec, "99999999999999999999", ""},
		{fTimeSec, "1.", ""},
		{fSkip, "[10/Oct/2000:13:55:36 -0700]", "2000-10-10T13:55:36-07:00"},
		{fSkip, "1.6468614015241024e+09", "2022-03-09T21:30:01.524102Z"},
	}
	var c timeCache
	for _, tt := range tests {
		for range 2 { // the second time, from the cache
			got, ok := c.parse(tt.kind, []byte(tt.in))
			s := ""
			if ok {
				s = got.Format(time.RFC3339Nano)
			}
			if tt.kind == fSkip && ok { // float rounding
				s = got.Truncate(time.Microsecond).Format(time.RFC3339Nano)
			}
			if s != tt.want {
				t.Errorf("parse time %q = %q, want %q", tt.in, s, tt.want)
			}
		}
	}
}
