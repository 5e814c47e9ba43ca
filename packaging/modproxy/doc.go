// Package modproxy makes `go install github.com/weblogctl/weblogctl/cmd/...@latest`
// checkable before the module is published: [Write] lays out a file-based
// module proxy (GOPROXY=file://DIR) holding the working tree as one
// release, its zip built with golang.org/x/mod/zip as a real proxy's is,
// and TestGoInstall runs the README's `go install` against it (its
// dependencies from the local module cache, else proxy.golang.org) into a
// private GOBIN and GOMODCACHE, then runs both binaries:
//
//	go test ./packaging/modproxy -run TestGoInstall -v
package modproxy
