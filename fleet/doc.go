// Package fleet runs weblogctl's commands over hosts. [Runner] drives one
// [client.Source] per host (the weblog protocol or plain mode, the same to
// the Runner): at most -j connection attempts at once, each host's
// failure reported as it happens, one result for the command; one host
// given alone is a fleet of one, printed without labels. [ParseOperands]
// reads a command's hosts: host patterns (web[01-20], web{a,b}), groups
// from weblogctl's config file (@web) and hosts files, expanded into a
// bounded list ([Resolve]). [Printer] renders the hosts' lines, labelled;
// [Merger] merges their streams into one chronological stream; [Run] and
// [Limiter] bound the concurrency.
//
// A new kind of request (e.g. server-side statistics) is a Source method
// and a Runner method; the command line does not branch on the mode or
// the number of hosts. The package holds no package state; every bound is
// a documented constant or an explicit option.
package fleet
