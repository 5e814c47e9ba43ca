package fleet

import (
	"context"
	"sync"
)

// DefaultJobs is the default bound on hosts worked on at once (weblogctl
// -j).
const DefaultJobs = 32

// Limiter admits at most a fixed number of holders at once, e.g. SSH
// connection attempts in flight. A nil *Limiter admits everyone.
type Limiter struct {
	slots chan struct{}
}

// NewLimiter returns a Limiter that admits n holders at once; n <= 0
// means no limit (a nil *Limiter).
func NewLimiter(n int) *Limiter {
	if n <= 0 {
		return nil
	}
	return &Limiter{slots: make(chan struct{}, n)}
}

// Acquire waits for a place, or returns ctx's error when ctx ends first.
func (l *Limiter) Acquire(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Release gives back a place taken by Acquire.
func (l *Limiter) Release() {
	if l != nil {
		<-l.slots
	}
}

// Run calls job(ctx, i) for each i in [0, n), starting them in order with
// at most jobs running at once (jobs <= 0: all at once), and returns when
// all have returned, with errs[i] the result of job i. A job not started
// when ctx ends is not started at all; its error is ctx's. Run keeps at
// most jobs goroutines, however large n is.
func Run(ctx context.Context, n, jobs int, job func(ctx context.Context, i int) error) (errs []error) {
	errs = make([]error, n)
	lim := NewLimiter(jobs)
	var wg sync.WaitGroup
	for i := range n {
		if err := lim.Acquire(ctx); err != nil {
			for j := i; j < n; j++ {
				errs[j] = err
			}
			break
		}
		wg.Go(func() {
			defer lim.Release()
			errs[i] = job(ctx, i)
		})
	}
	wg.Wait()
	return errs
}
