package policy

import (
	"strings"
	"testing"
	"time"
)

func TestParseExpiry(t *testing.T) {
	now := time.Date(2026, 12, 3, 14, 30, 15, 500_000_000, time.UTC)
	tests := []struct {
		in   string
		want string // RFC 3339, or "" for an error
	}{
		{"7d", "2026-12-10T14:30:15Z"},
		{"2w", "2026-12-17T14:30:15Z"},
		{"1d", "2026-12-04T14:30:15Z"},
		{"36h", "2026-12-05T02:30:15Z"},
		{"90m", "2026-12-03T16:00:15Z"},
		{"1h30m", "2026-12-03T16:00:15Z"},
		{"2026-12-31", "2026-12-31T00:00:00Z"},
		{"2026-12-31T18:00:00Z", "2026-12-31T18:00:00Z"},
		{"2026-12-31T18:00:00+02:00", "2026-12-31T16:00:00Z"},
		{"3650d", "2036-11-30T14:30:15Z"},
		{"", ""},
		{"d", ""},
		{"0d", ""},
		{"-1d", ""},
		{"+1d", ""},
		{"1.5d", ""},
		{"0s", ""},
		{"-5m", ""},
		{"+5m", ""},
		{"2026-12-03", ""}, // the start of today: past
		{"2020-01-01", ""}, // past
		{"2099-01-01", ""}, // too far
		{"4000d", ""},      // too far
		{"99999999d", ""},  // overflow
		{"2026-13-01", ""}, // no such month
		{"2026-12-31T25:00:00Z", ""},
		{"2026-12-31 18:00", ""},
		{"20261231", ""}, // OpenSSH's form is the output, not the input
		{"tomorrow", ""},
		{"7 d", ""},
		{"7D", ""},
	}
	for _, tt := range tests {
		got, err := ParseExpiry(tt.in, now)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseExpiry(%q) = %v, want an error", tt.in, got)
			} else if !strings.Contains(err.Error(), "expiry \"") {
				t.Errorf("ParseExpiry(%q) error %q does not quote the input", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseExpiry(%q): %v", tt.in, err)
			continue
		}
		if s := got.Format(time.RFC3339); s != tt.want || got.Location() != time.UTC {
			t.Errorf("ParseExpiry(%q) = %s (%v), want %s UTC", tt.in, s, got.Location(), tt.want)
		}
	}
}

func TestFormatExpiryTime(t *testing.T) {
	for _, tt := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), "20261231000000Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 999_000_000, time.UTC), "20260102030405Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600)), "20260102020405Z"},
	} {
		if got := FormatExpiryTime(tt.in); got != tt.want {
			t.Errorf("FormatExpiryTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseExpiry checks the --expires parser: no panic; an error gives
// the zero time; an accepted time is in UTC, whole seconds, after now and
// at most ten years ahead, and formats as OpenSSH's 15-byte expiry-time.
func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"7d", "2w", "36h", "2026-12-31", "2026-12-31T18:00:00Z", "-1d", "1e9h", "0d", "9999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 3, 14, 30, 15, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseExpiry(s, now)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("error %v with time %v", err, got)
			}
			return
		}
		if got.Location() != time.UTC || got.Nanosecond() != 0 {
			t.Fatalf("%q: %v is not whole UTC seconds", s, got)
		}
		if !got.After(now) || got.Sub(now) > maxExpiry {
			t.Fatalf("%q: %v is outside (now, now+10y]", s, got)
		}
		if v := FormatExpiryTime(got); len(v) != 15 || v[14] != 'Z' {
			t.Fatalf("%q: FormatExpiryTime = %q", s, v)
		}
	})
}
