package subsystem

import (
	"github.com/weblogctl/weblogctl/redact"
	"github.com/weblogctl/weblogctl/wire"
)

// newRedactor returns the redactor for one request on log name, nil when
// nothing is redacted.
func newRedactor(cfg *Config, name string) (*redact.Redactor, error) {
	if len(cfg.Redact) == 0 {
		return nil, nil
	}
	r, err := redact.New(cfg.Redact)
	if err != nil {
		// The server checked its flags at startup; this cannot happen.
		return nil, wire.Errorf(wire.StatusInternal, "redaction: "+err.Error())
	}
	r.UseFormat(cfg.Formats[name])
	return r, nil
}
