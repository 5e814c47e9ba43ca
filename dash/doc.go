// Package dash is the model of `weblogctl top`: it takes the interval
// tables of following stats (fleet.Runner.Live), keeps them in rolling
// windows per host, and renders a Snapshot — totals, status mix, top
// paths, referrers, clients and user agents, rates, latency and one row
// per host — that the terminal and the web views both draw.
//
// A window (1m, 5m, 1h) holds the tables that arrived in it, merged with
// tally's exact merge; the "all" window holds everything the hosts have
// sent since their connection started, which begins with the log as it
// was (a following stats sends the log's existing lines first).
package dash
