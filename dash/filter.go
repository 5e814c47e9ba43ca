package dash

import (
	"fmt"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
)

// ParseFilter reads the filter a user types at the dashboard's prompt
// and adds it to base: words NAME:VALUE (or NAME=VALUE), NAME a filter
// option of PROTOCOL.md §2.1 without its dashes (status:5xx,
// path:^/api, not-ip:10.0.0.0/8), has-referrer alone. A value cannot
// hold a space (write \x20 inside a RE). The result is checked the way
// the server checks it; on error the result is the zero FilterSpec.
func ParseFilter(base accesslog.FilterSpec, s string) (accesslog.FilterSpec, error) {
	spec := base
	for _, w := range strings.Fields(s) {
		name, value, ok := strings.Cut(w, ":")
		if eq := strings.IndexByte(w, '='); eq >= 0 && (!ok || eq < len(name)) {
			name, value, ok = w[:eq], w[eq+1:], true
		}
		if !ok && name != "has-referrer" {
			return accesslog.FilterSpec{}, fmt.Errorf("filter %q: want NAME:VALUE", w)
		}
		if err := spec.Set(strings.TrimPrefix(name, "--"), value); err != nil {
			return accesslog.FilterSpec{}, fmt.Errorf("filter: %w", err)
		}
	}
	if _, err := accesslog.Compile(spec, time.Now()); err != nil {
		return accesslog.FilterSpec{}, fmt.Errorf("filter: %w", err)
	}
	return spec, nil
}
