// Package fleet addresses many hosts at once: it expands host patterns
// (web[01-20], web{a,b}), groups from weblogctl's config file (@web) and
// hosts files into a bounded list of hosts ([Resolve]), runs one job per
// host with bounded concurrency ([Run], [Limiter]), and merges the hosts'
// line streams into one chronological stream ([Merger]).
//
// The package knows nothing about SSH or the command line: callers pass
// functions. It holds no package state; every bound is a documented
// constant or an explicit option.
package fleet
