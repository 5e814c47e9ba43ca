// Package authorize builds what lets one SSH key read named logs through
// weblog-server and nothing else: a line for the log host's
// authorized_keys (Grant.KeyLine), or an OpenSSH user certificate signed
// by a CA (Grant.Certificate), whose force-command is the same
// weblog-server command line (Grant.Command). It is `weblogctl
// authorize`; the sshd and shell quoting it relies on is policy.KeyLine
// and policy.ShellJoin.
package authorize
