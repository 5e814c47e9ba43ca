// Package policy decides what a weblog-server may read and do: the named
// logs, verbs, redaction and limits of a Profile, built from the server's
// own command line (ProfileFromFlags) or from a policy file (LoadFile),
// and logs opened so that nothing outside them can be reached.
//
// Client input never reaches this package except as a log name to look
// up; a name that is not in the policy and a log that cannot be opened are
// the same error, ErrUnavailable, so a client cannot probe the filesystem.
package policy
