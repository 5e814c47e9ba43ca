package client

import "time"

// Option configures a Client made with New: WithCompression,
// WithParallel, WithProgress, WithCopyStart, WithLinkReport.
type Option func(*Client)

// WithLinkReport makes the client call fn once, when --compress auto has
// measured the link: its round trip and the compression chosen for it
// (wire.CompressZstd, wire.CompressS2, or "" for none), for -v.
func WithLinkReport(fn func(rtt time.Duration, compression string)) Option {
	return func(c *Client) { c.linkReport = fn }
}

// WithProgress makes Cat (and so FetchFile and FetchHistory) call fn with
// the size of each piece of log data it has written; fn must be safe for
// concurrent use (parallel ranges).
func WithProgress(fn func(n int)) Option {
	return func(c *Client) { c.progress = fn }
}

// WithCopyStart makes FetchFile, Cat and FetchHistory call fn when a copy
// of a file starts: the byte it starts from (> 0 when a partial copy is
// resumed) and the file's size, for a progress display and -v.
func WithCopyStart(fn func(from, size int64)) Option {
	return func(c *Client) { c.copyStart = fn }
}
