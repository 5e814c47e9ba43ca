package client

// Option configures a Client made with New: WithCompression,
// WithParallel, WithProgress.
type Option func(*Client)

// WithProgress makes Cat (and so FetchFile and FetchHistory) call fn with
// the size of each piece of log data it has written; fn must be safe for
// concurrent use (parallel ranges).
func WithProgress(fn func(n int)) Option {
	return func(c *Client) { c.progress = fn }
}
