package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// Runner runs one command over a set of hosts, each read through a
// client.Source: it bounds the connection attempts in flight, reports
// each host's failure on Stderr as it happens ("weblogctl: error: HOST:
// reason", each hint once) while the other hosts carry on, and works out
// the command's result. One host given alone is a fleet of one: its
// output is unlabelled and its error is the command's, returned as it is
// for the caller to report.
type Runner struct {
	cfg     RunConfig
	sources []client.Source
	dials   *Limiter

	mu     sync.Mutex
	status int // the worst exit status of a failed host; 0: none
	hints  map[string]bool
	errs   []error // each host's failure
	// partial is the one host's fetch interrupted with its partial copy kept.
	partial *client.PartialError
	outErr  error // the first failure to write the output
}

// RunConfig configures a Runner.
type RunConfig struct {
	// Hosts are the hosts, in the order given.
	Hosts []string
	// Labelled says that Hosts is a set (several hosts, a pattern, a group
	// or a hosts file), even of one: output is labelled with the host and
	// failures are reported by the Runner. Otherwise Hosts is one host.
	Labelled bool
	// Jobs bounds the hosts worked on at once, and for commands that keep
	// every host open (follow, a merge) the connection attempts in flight.
	Jobs int
	// Dial connects to host.
	Dial func(ctx context.Context, host string) (*sshdial.Conn, error)
	// Source says how each host's logs are read.
	Source client.SourceConfig
	// Stderr receives reports, warnings and, with Verbose, debug lines.
	// It must be safe for concurrent use (see SyncWriter).
	Stderr io.Writer
	// Verbose prints debug lines.
	Verbose bool
	// Describe returns the exit status and hint for a host's failure.
	Describe func(err error) (status int, hint string)
}

// HostsFailed is the result of a labelled run in which some hosts failed;
// each failure has been reported already. Status is the worst one's exit
// status.
type HostsFailed struct{ Status int }

func (e HostsFailed) Error() string {
	return fmt.Sprintf("some hosts failed (exit status %d)", e.Status)
}

// NewRunner returns a Runner for cfg.
func NewRunner(cfg RunConfig) *Runner {
	r := &Runner{cfg: cfg, dials: NewLimiter(cfg.Jobs), hints: map[string]bool{}, errs: make([]error, len(cfg.Hosts))}
	for _, h := range cfg.Hosts {
		r.sources = append(r.sources, client.NewSource(r.dialer(h), cfg.Source))
	}
	return r
}

// dialer connects to host once one of the connection slots is free.
func (r *Runner) dialer(host string) client.DialFunc {
	return func(ctx context.Context) (*sshdial.Conn, error) {
		if err := r.dials.Acquire(ctx); err != nil {
			return nil, err
		}
		defer r.dials.Release()
		return r.cfg.Dial(ctx, host)
	}
}

// NewPrinter returns the printer of this run's lines to out in format
// ("" picks pretty for a terminal, raw otherwise): labelled with the hosts
// when the run is, the logs parsed as RunConfig.Source.LogFormat.
func (r *Runner) NewPrinter(out io.Writer, format string) (*Printer, error) {
	opt := PrinterOptions{Format: format, LogFormat: r.cfg.Source.LogFormat}
	if r.cfg.Labelled {
		opt.Labels = r.cfg.Hosts
	}
	return NewPrinter(out, opt)
}

// run calls job for every host, at most jobs at once (0: all at once),
// records each outcome (see done) and returns the command's result.
func (r *Runner) run(ctx context.Context, jobs int, job func(ctx context.Context, i int) error) {
	Run(ctx, len(r.cfg.Hosts), jobs, func(ctx context.Context, i int) error {
		err := job(ctx, i)
		r.done(ctx, i, err)
		return err
	})
}

// done records the outcome of host i. A failure is reported at once; an
// error after ctx ended (Ctrl-C, or the output failed) is not a failure
// of the host.
func (r *Runner) done(ctx context.Context, i int, err error) {
	if err == nil {
		return
	}
	if errors.Is(err, ErrOutput) {
		r.outputFailed(err)
		return
	}
	if ctx.Err() != nil {
		if pe := new(client.PartialError); errors.As(err, &pe) && !r.cfg.Labelled {
			r.mu.Lock()
			r.partial = pe // reported with the interruption: a rerun resumes
			r.mu.Unlock()
		}
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs[i] = err
	if !r.cfg.Labelled {
		return // the caller reports it
	}
	status, hint := r.cfg.Describe(err)
	msg := fmt.Sprintf("weblogctl: error: %s: %s\n", wire.Sanitize(r.cfg.Hosts[i]), wire.Sanitize(err.Error()))
	if hint != "" && !r.hints[hint] {
		r.hints[hint] = true
		msg += "weblogctl: hint: " + hint + "\n"
	}
	io.WriteString(r.cfg.Stderr, msg)
	r.status = max(r.status, status) // 255, could not connect, is the worst
}

// outputFailed records that writing the output failed.
func (r *Runner) outputFailed(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.outErr == nil {
		r.outErr = err
	}
}

// result is the command's error once every host is done: a failure to
// write the output, the one host's error, HostsFailed, or ctx's error
// when interrupted.
func (r *Runner) result(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.outErr != nil:
		return errors.Unwrap(r.outErr)
	case !r.cfg.Labelled && r.errs[0] != nil:
		return r.errs[0]
	case r.status != 0:
		return HostsFailed{r.status}
	case r.partial != nil && ctx.Err() != nil:
		return errors.Join(ctx.Err(), r.partial)
	}
	return ctx.Err()
}

// warnf prints a warning about host i.
func (r *Runner) warnf(i int, format string, args ...any) {
	fmt.Fprintf(r.cfg.Stderr, "weblogctl: warning: %s: %s\n", wire.Sanitize(r.cfg.Hosts[i]), wire.Sanitize(fmt.Sprintf(format, args...)))
}

// debugf prints a debug line about host i (with Verbose); the host is
// named when the output is labelled.
func (r *Runner) debugf(i int, format string, args ...any) {
	if !r.cfg.Verbose {
		return
	}
	host := ""
	if r.cfg.Labelled {
		host = r.cfg.Hosts[i] + ": "
	}
	fmt.Fprintf(r.cfg.Stderr, "weblogctl: debug: %s%s\n", host, fmt.Sprintf(format, args...))
}

// SyncWriter serialises writes to W, e.g. to share stderr between hosts.
type SyncWriter struct {
	mu sync.Mutex
	W  io.Writer
}

// Write writes p to W, one Write at a time.
func (s *SyncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.W.Write(p)
}
