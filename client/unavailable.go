package client

import (
	"context"
	"errors"

	"github.com/xrash/smetrics"

	"github.com/weblogctl/weblogctl/wire"
)

// UnavailableError is the server's "no such log, or not allowed" for a
// log the user named, with the logs the host does offer this key (what
// `ls` lists, asked after the refusal), so that a mistyped name can be
// corrected. It unwraps to the server's *wire.Error.
type UnavailableError struct {
	Log     string   // the name asked for
	Offered []string // the logs this key may read there, in ls order
	Err     error
}

func (e *UnavailableError) Error() string { return e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// Suggest returns the offered name closest to Log when it is close enough
// to be a typing mistake (Jaro-Winkler similarity of at least 0.8: "acces"
// for "access"), else "".
func (e *UnavailableError) Suggest() string {
	best, score := "", 0.8
	for _, name := range e.Offered {
		if s := smetrics.JaroWinkler(e.Log, name, 0.7, 4); s >= score {
			best, score = name, s
		}
	}
	return best
}

// withOffered turns err, when it is the server's "unavailable" answer
// for the named log, into an *UnavailableError listing what list
// returns; any other error, or a failing list, is returned as it is.
func withOffered(ctx context.Context, log string, err error, list func(context.Context) ([]wire.LogInfo, error)) error {
	var re *wire.Error
	if log == "" || !errors.As(err, &re) || re.Status != wire.StatusUnavailable || ctx.Err() != nil {
		return err
	}
	logs, lerr := list(ctx)
	if lerr != nil {
		return err
	}
	names := make([]string, 0, len(logs))
	for _, l := range logs {
		if wire.CheckLogName(l.Name) == nil { // a name we can print and suggest
			names = append(names, l.Name)
		}
	}
	return &UnavailableError{Log: log, Offered: names, Err: err}
}
