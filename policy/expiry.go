package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxExpiry bounds how far ahead ParseExpiry accepts: access meant to be
// temporary that lasts longer than this is a typing mistake.
const maxExpiry = 10 * 366 * 24 * time.Hour

// ParseExpiry parses when granted access ends, as weblogctl authorize
// --expires takes it, relative to now:
//
//   - a span from now: a number of days or weeks ("7d", "2w") or a Go
//     duration ("36h", "90m");
//   - a date, "2026-12-31": the start of that day in UTC, as OpenSSH reads
//     expiry-time="20261231" and ssh-keygen -V 20261231;
//   - an RFC 3339 time, "2026-12-31T18:00:00Z" or with an offset.
//
// The result is in UTC, whole seconds (the precision of OpenSSH's
// expiry-time= and certificate validity). A time not after now, or more
// than ten years ahead, is refused.
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	t, err := parseExpiry(s, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("expiry %q: %w", s, err)
	}
	t = t.UTC().Truncate(time.Second)
	switch {
	case !t.After(now):
		return time.Time{}, fmt.Errorf("expiry %q: %s is not in the future", s, t.Format(time.RFC3339))
	case t.Sub(now) > maxExpiry:
		return time.Time{}, fmt.Errorf("expiry %q: %s is more than ten years ahead", s, t.Format(time.RFC3339))
	}
	return t, nil
}

func parseExpiry(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty")
	}
	if n, unit := s[:len(s)-1], s[len(s)-1]; unit == 'd' || unit == 'w' {
		days, err := strconv.ParseUint(n, 10, 16)
		if err != nil || n[0] == '+' {
			return time.Time{}, errors.New("want a number of days or weeks (7d, 2w), a date (2026-12-31) or a time (2026-12-31T18:00:00Z)")
		}
		if unit == 'w' {
			days *= 7
		}
		if days > uint64(maxExpiry/(24*time.Hour)) {
			return time.Time{}, errors.New("more than ten years ahead")
		}
		return now.Add(time.Duration(days) * 24 * time.Hour), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if strings.Contains(s, "T") {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, errors.New("not an RFC 3339 time (2026-12-31T18:00:00Z)")
		}
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return time.Time{}, errors.New("want a number of days or weeks (7d, 2w), a duration (36h), a date (2026-12-31) or a time (2026-12-31T18:00:00Z)")
	}
	return now.Add(d), nil
}

// FormatExpiryTime formats t as the value of OpenSSH's expiry-time=
// authorized_keys option, YYYYMMDDHHMMSSZ in UTC, without the quotes.
func FormatExpiryTime(t time.Time) string {
	return t.UTC().Format("20060102150405") + "Z"
}
