package wire

import (
	"fmt"
	"strconv"
	"time"

	"github.com/weblogctl/weblogctl/tally"
)

// Bounds of the stats options (PROTOCOL.md §2.2).
const (
	MinEvery = time.Second
	MaxEvery = 5 * time.Minute
)

// StatsOptions are the options of a stats request. The zero value groups
// nothing (one group of every selected line) with the default group cap.
type StatsOptions struct {
	// By is --by: the group keys, comma-separated, as tally.ParseKeys
	// accepts them (a string, so that a Request stays comparable).
	By        string
	MaxGroups int           // --max-groups: the group cap; 0: tally.DefaultMaxGroups
	Every     time.Duration // --every: follow, sending one aggregate per interval; 0: once
}

// Keys returns the group keys of By.
func (o StatsOptions) Keys() ([]tally.Key, error) { return tally.ParseKeys(o.By) }

// set stores one stats option of verb.
func (o *StatsOptions) set(verb, name, value string) error {
	bad := func(what string) error {
		return Errorf(StatusUsage, fmt.Sprintf("%s: --%s: %s %s", verb, name, what, quote(value)))
	}
	if value == "" {
		return bad("empty value")
	}
	switch name {
	case "by":
		if _, err := tally.ParseKeys(value); err != nil {
			return Errorf(StatusUsage, fmt.Sprintf("%s: --by: %s", verb, Sanitize(err.Error())))
		}
		o.By = value
	case "max-groups":
		n, ok := parseCount(value)
		if !ok || n < 1 {
			return bad("not a positive decimal number:")
		}
		if n > tally.MaxGroups {
			return Errorf(StatusLimit, fmt.Sprintf("%s: --max-groups: at most %d", verb, tally.MaxGroups))
		}
		o.MaxGroups = int(n)
	case "every":
		d, err := time.ParseDuration(value)
		if err != nil || d < MinEvery || d > MaxEvery || d.String() != value {
			return bad(fmt.Sprintf("not a duration between %s and %s in canonical form (e.g. 1s):", MinEvery, MaxEvery))
		}
		o.Every = d
	}
	return nil
}

// args renders the options as request words, each with a leading space.
func (o StatsOptions) args() string {
	s := ""
	if o.By != "" {
		s += " --by=" + o.By
	}
	if o.MaxGroups != 0 {
		s += " --max-groups=" + strconv.Itoa(o.MaxGroups)
	}
	if o.Every != 0 {
		s += " --every=" + o.Every.String()
	}
	return s
}

// checkStats refuses combinations of stats options that mean nothing.
func (r *Request) checkStats() error {
	if r.Stats.Every > 0 && r.Rotated > 0 {
		return Errorf(StatusUsage, "stats: --rotated and --every exclude each other")
	}
	return nil
}
