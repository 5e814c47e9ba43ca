package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// fleetRun is one command run over a set of hosts: it connects with at
// most -j connection attempts in flight, reports each host's failure on
// stderr as it happens ("weblogctl: error: HOST: reason") and works out
// the exit status.
type fleetRun struct {
	c      *cli.Context
	hosts  []string
	jobs   int
	cfg    sshdial.Config
	opts   []client.Option // for client.New
	dials  *fleet.Limiter
	stderr io.Writer // safe for concurrent use

	mu     sync.Mutex
	status int // the worst exit status of a failed host; 0: none
	hints  map[string]bool
	outErr error // the first failure to write the output
}

func newFleetRun(c *cli.Context, hosts []string) (*fleetRun, error) {
	jobs := c.Int("jobs")
	if jobs < 1 {
		return nil, usageError{fmt.Errorf("%s: -j must be at least 1", c.Command.Name)}
	}
	opts, err := clientOptions(c)
	if err != nil {
		return nil, err
	}
	stderr := &syncWriter{w: c.App.ErrWriter}
	cfg := dialConfig(c)
	cfg.Stderr = stderr
	if cfg.Debug != nil {
		cfg.Debug = stderr
	}
	if cfg.Prompter != nil {
		cfg.Prompter = &lockedPrompter{p: cfg.Prompter} // one question at a time
	}
	return &fleetRun{c: c, hosts: hosts, jobs: jobs, cfg: cfg, opts: opts, dials: fleet.NewLimiter(jobs), stderr: stderr, hints: map[string]bool{}}, nil
}

// dial connects to host once one of the -j connection slots is free.
func (r *fleetRun) dial(ctx context.Context, host string) (*sshdial.Conn, error) {
	if err := r.dials.Acquire(ctx); err != nil {
		return nil, err
	}
	defer r.dials.Release()
	conn, err := sshdial.Dial(ctx, host, r.cfg)
	if err != nil {
		return nil, connectError{err}
	}
	return conn, nil
}

// connect dials host and returns a weblog client on the connection,
// which the caller must close.
func (r *fleetRun) connect(ctx context.Context, host string) (*client.Client, *sshdial.Conn, error) {
	conn, err := r.dial(ctx, host)
	if err != nil {
		return nil, nil, err
	}
	return client.New(conn, r.opts...), conn, nil
}

// run calls job for every host, at most jobs at once (0: all at once),
// and records each outcome (see done). ctx must be the context the jobs
// run under.
func (r *fleetRun) run(ctx context.Context, jobs int, job func(ctx context.Context, i int) error) {
	fleet.Run(ctx, len(r.hosts), jobs, func(ctx context.Context, i int) error {
		err := job(ctx, i)
		r.done(ctx, i, err)
		return err
	})
}

// done records the outcome of host i. A failure is reported at once; an
// error after ctx ended (Ctrl-C, or the output failed) is not a failure of
// the host.
func (r *fleetRun) done(ctx context.Context, i int, err error) {
	if err == nil || errors.Is(err, errStopPath) {
		return
	}
	if errors.As(err, new(outputError)) {
		r.outputFailed(err)
		return
	}
	if ctx.Err() != nil {
		return
	}
	status, hint := describe(err)
	msg := fmt.Sprintf("weblogctl: error: %s: %s\n", wire.Sanitize(r.hosts[i]), wire.Sanitize(err.Error()))
	r.mu.Lock()
	defer r.mu.Unlock()
	if hint != "" && !r.hints[hint] {
		r.hints[hint] = true
		msg += "weblogctl: hint: " + hint + "\n"
	}
	io.WriteString(r.stderr, msg)
	if r.status != exitConnect && (status == exitConnect || status > r.status) {
		r.status = status
	}
}

// outputFailed records that writing the output failed.
func (r *fleetRun) outputFailed(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.outErr == nil {
		r.outErr = err
	}
}

// result is the command's error once every host is done: a failure to
// write the output, or the worst host failure (already reported), or ctx's
// error when interrupted.
func (r *fleetRun) result(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.outErr != nil:
		return r.outErr
	case r.status != 0:
		return fleetError{r.status}
	}
	return ctx.Err()
}

// warnf prints a warning about host.
func (r *fleetRun) warnf(host, format string, args ...any) {
	fmt.Fprintf(r.stderr, "weblogctl: warning: %s: %s\n", wire.Sanitize(host), wire.Sanitize(fmt.Sprintf(format, args...)))
}

// debugf prints a -v message about host.
func (r *fleetRun) debugf(host, format string, args ...any) {
	if r.c.Bool("verbose") {
		fmt.Fprintf(r.stderr, "weblogctl: debug: %s: %s\n", host, fmt.Sprintf(format, args...))
	}
}

// fleetError is the end of a command over several hosts of which some
// failed; each failure has been reported already.
type fleetError struct{ status int }

func (e fleetError) Error() string {
	return fmt.Sprintf("some hosts failed (exit status %d)", e.status)
}

// outputError is a failure to write weblogctl's own output, which ends
// the work on every host.
type outputError struct{ error }

func (e outputError) Unwrap() error { return e.error }

// syncWriter serialises writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// lockedPrompter asks one question at a time, however many hosts are
// being connected to.
type lockedPrompter struct {
	mu sync.Mutex
	p  sshdial.Prompter
}

func (l *lockedPrompter) Password(prompt string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.Password(prompt)
}

func (l *lockedPrompter) Confirm(prompt string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.Confirm(prompt)
}
