package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// usageError marks a mistake on the command line.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// connectError marks a failure to reach or log in to a host.
type connectError struct{ error }

func (e connectError) Unwrap() error { return e.error }

// report prints err by the output rules and returns the exit status.
func report(stderr io.Writer, err error) int {
	var hf fleet.HostsFailed
	if errors.As(err, &hf) {
		return hf.Status // each host's failure is reported already
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, sshdial.ErrInterrupted) {
		if pe := new(client.PartialError); errors.As(err, &pe) {
			fmt.Fprintf(stderr, "weblogctl: interrupted; %s\n", kept(pe))
		}
		return exitInterrupted // Ctrl-C, also at a prompt
	}
	if errors.Is(err, syscall.EPIPE) && errors.Is(err, fleet.ErrOutput) {
		return 0 // the reader of our stdout went away, like `| head`
	}
	status, hint := describe(err)
	fmt.Fprintf(stderr, "weblogctl: error: %s\n", wire.Sanitize(err.Error()))
	if hint != "" {
		fmt.Fprintf(stderr, "weblogctl: hint: %s\n", hint)
	}
	return status
}

// describe returns the exit status for err and a hint for what to do
// about it, if there is one.
func describe(err error) (status int, hint string) {
	status, hint = describeStatus(err)
	if pe := new(client.PartialError); errors.As(err, &pe) {
		hint = kept(pe)
	}
	var he hintError
	if errors.As(err, &he) {
		hint = he.hint
	}
	return status, hint
}

// describeStatus is describe with the usual hints.
func describeStatus(err error) (status int, hint string) {
	var ue usageError
	var ce connectError
	var re *wire.Error
	switch {
	case errors.As(err, &ue), errors.As(err, new(*fleet.SharedDirError)):
		return exitUsage, "see weblogctl --help"
	case errors.As(err, &re):
		if ue := new(client.UnavailableError); errors.As(err, &ue) {
			hint = offeredHint(ue)
		} else if re.Status == wire.StatusUnavailable {
			hint = "`weblogctl ls HOST` lists the logs this key may read"
		}
		if re.Status > 0 && re.Status <= wire.StatusLimit {
			return int(re.Status), hint
		}
		return exitLocal, hint
	case errors.As(err, &ce):
		return exitConnect, sshdial.Hint(err)
	case errors.Is(err, client.ErrLoginShell):
		return exitConnect, "" // the message says what the shell must be
	case errors.Is(err, client.ErrProtocol):
		return exitConnect, "is weblog-server installed for this key? (see README: the authorized_keys line)"
	}
	return exitLocal, ""
}

// offeredHint names, for a refused log, the one probably meant and the
// logs this key may read there.
func offeredHint(ue *client.UnavailableError) string {
	logs := "this key may read no log there"
	if len(ue.Offered) > 0 {
		logs = "the logs this key may read there: " + strings.Join(ue.Offered, ", ")
	}
	if s := ue.Suggest(); s != "" {
		return "did you mean " + s + "? " + logs
	}
	return logs
}

// kept says that a fetch's partial copy is kept and how to resume it.
func kept(pe *client.PartialError) string {
	return fmt.Sprintf("the partial copy %s (%d bytes) is kept: run the same command again to resume", wire.Sanitize(pe.Part), pe.Bytes)
}
