package main

import (
	"fmt"

	"github.com/weblogctl/weblogctl/internal/buildinfo"
	"github.com/weblogctl/weblogctl/wire"
)

// Version overrides the version from the build information when set at
// link time (-ldflags "-X main.Version=…"); normally it stays empty.
var Version string

// versionLine is what --version prints after "weblogctl version ": the
// module version or VCS revision, and the protocol this client speaks.
func versionLine() string {
	return fmt.Sprintf("%s, protocol %d", version(), wire.Protocol)
}

// version is the module version or VCS revision of this build.
func version() string { return buildinfo.Version(Version) }
