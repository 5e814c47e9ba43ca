package dash

import (
	"context"
	"sync"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/fleet"
)

// Feeder keeps a Dash fed by the hosts of a fleet.Runner and restarts
// the feeds when the filter changes.
type Feeder struct {
	cfg FeederConfig

	mu     sync.Mutex
	prompt string
	cancel context.CancelFunc
	done   chan struct{}
}

// FeederConfig configures a Feeder.
type FeederConfig struct {
	Dash      *Dash
	Runner    *fleet.Runner
	Request   client.Request       // the log (Request.Log) and how to reach it
	Filter    accesslog.FilterSpec // the command line's filter; the prompt's adds to it
	Every     time.Duration        // the interval of the following stats
	Reconnect client.ReconnectOptions
}

// NewFeeder returns a Feeder for cfg; Start starts it.
func NewFeeder(cfg FeederConfig) *Feeder { return &Feeder{cfg: cfg} }

// Start (re)starts the feeds with the command line's filter and the
// prompt's (see ParseFilter), forgetting what the Dash held, and feeds
// it until ctx ends or the next Start. A prompt that does not parse is
// an error and changes nothing.
func (f *Feeder) Start(ctx context.Context, prompt string) error {
	spec, err := ParseFilter(f.cfg.Filter, prompt)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopLocked()
	f.cfg.Dash.Reset()
	f.prompt = prompt
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	f.cancel, f.done = cancel, done
	events := make(chan fleet.LiveEvent, 64)
	go func() {
		f.cfg.Runner.Live(ctx, f.cfg.Request, Feeds(spec), f.cfg.Every, f.cfg.Reconnect, events)
		close(events)
	}()
	go func() {
		defer close(done)
		for e := range events {
			f.cfg.Dash.Apply(e)
		}
	}()
	return nil
}

// Prompt returns the prompt's filter of the running feeds.
func (f *Feeder) Prompt() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prompt
}

// Stop stops the feeds and waits for them to end.
func (f *Feeder) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopLocked()
}

func (f *Feeder) stopLocked() {
	if f.cancel != nil {
		f.cancel()
		<-f.done
		f.cancel = nil
	}
}
