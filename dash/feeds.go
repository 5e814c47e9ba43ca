package dash

import (
	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/tally"
)

// The feeds a dashboard asks each host for, by their index in Feeds.
// PROTOCOL.md §2.2 allows one set of group keys per request, so each
// panel family is its own following stats; they share one connection.
const (
	FeedStatus   = iota // by status: totals, status mix, bytes, latency, per-host rows
	FeedPath            // by path
	FeedReferrer        // by referrer, path of 200 hits with a referrer (the seed's view); status too with a status filter
	FeedIP              // by client address
	FeedUA              // by user agent
	numFeeds
)

// Feeds returns the following stats a dashboard with filter needs, in
// the order of the Feed constants.
func Feeds(filter accesslog.FilterSpec) []client.StatsFeed {
	ref := filter
	ref.HasReferrer = true
	refBy := []tally.Key{tally.KeyStatus, tally.KeyReferrer, tally.KeyPath}
	if filter.Status == "" && filter.NotStatus == "" {
		// The server selects the 200 hits: fewer groups on the wire. A
		// filter on the status would join (OR) with it, so then the
		// status is a key and the 200s are picked here.
		ref.Status, refBy = "200", refBy[1:]
	}
	return []client.StatsFeed{
		FeedStatus:   {By: []tally.Key{tally.KeyStatus}, Filter: filter},
		FeedPath:     {By: []tally.Key{tally.KeyPath}, Filter: filter},
		FeedReferrer: {By: refBy, Filter: ref},
		FeedIP:       {By: []tally.Key{tally.KeyIP}, Filter: filter},
		FeedUA:       {By: []tally.Key{tally.KeyUA}, Filter: filter},
	}
}
