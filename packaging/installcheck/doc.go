// Package installcheck holds the checks CI runs after installing the weblog
// .deb with dpkg -i (WEBLOG_INSTALLED=1 go test ./packaging/installcheck):
// the files are where the package says, `man weblogctl` shows the page,
// both binaries report a real revision, bash completes `weblogctl fol`, the
// systemd unit passes `systemd-analyze verify`, and a forced-command fetch
// through the installed weblog-server against a private sshd is byte-exact.
// Without WEBLOG_INSTALLED=1 the tests skip: they read the real /usr.
package installcheck
