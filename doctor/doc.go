// Package doctor diagnoses a host for weblogctl: it connects the way
// every command does (package sshdial), asks weblog-server what it knows
// (package client) and reports one [Result] per check, each with a
// verdict, what was seen and, when something is wrong, how to fix it.
//
// The checks, in order: the host is reachable (DNS, port), its host key
// is known, which authentication worked, whether the weblog subsystem or
// a forced command answers, weblog-server's version against ours, each
// log the key may read (readable now, its format and how sure the
// detection is, its rotation style), the clock skew between the two
// sides, and the login shell's start-up cost. A check whose premise
// failed is skipped; one an older weblog-server cannot answer is Unknown.
//
// [Write] renders one host's report, one line per check; [WriteTable]
// renders many hosts as a table.
package doctor
