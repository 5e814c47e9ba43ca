package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// signalled is the cause of the command's context being cancelled: the
// signal that asked weblogctl to stop.
type signalled struct{ sig syscall.Signal }

func (s signalled) Error() string { return "interrupted by " + s.sig.String() }

// signalContext returns a context cancelled, with a signalled cause, by
// the first SIGINT, SIGTERM or SIGHUP; stop releases the signals.
// signal.NotifyContext would do, but its cause does not say which signal
// came, and the exit status does (128 + the signal's number, like a shell).
func signalContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case s := <-ch:
			cancel(signalled{s.(syscall.Signal)})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}

// interruptStatus is the exit status of a command stopped by ctx's end:
// 128 + the signal's number when a signal ended it (130 for Ctrl-C, 143
// for SIGTERM, 129 for SIGHUP), else 130.
func interruptStatus(ctx context.Context) int {
	if s, ok := context.Cause(ctx).(signalled); ok {
		return 128 + int(s.sig)
	}
	return 130
}
