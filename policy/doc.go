// Package policy decides what a weblog-server may read: the named logs of
// its own command line, opened so that nothing outside them can be reached.
//
// Client input never reaches this package except as a log name to look
// up; a name that is not in the policy and a log that cannot be opened are
// the same error, ErrUnavailable, so a client cannot probe the filesystem.
package policy
