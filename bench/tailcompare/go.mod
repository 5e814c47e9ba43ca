module github.com/weblogctl/weblogctl/bench/tailcompare

go 1.26.8

replace github.com/weblogctl/weblogctl => ../..

require (
	github.com/hpcloud/tail v1.0.0
	github.com/nxadm/tail v1.4.11
	github.com/weblogctl/weblogctl v0.0.0-00010101000000-000000000000
)

require (
	github.com/fsnotify/fsnotify v1.10.1 // indirect
	golang.org/x/sys v0.50.0 // indirect
	gopkg.in/fsnotify.v1 v1.4.7 // indirect
	gopkg.in/tomb.v1 v1.0.0-20141024135613-dd632973f1e7 // indirect
)
