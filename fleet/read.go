package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/wire"
)

// The commands a Runner runs, each once for one host or many.

// List prints the logs of every host as one table, hosts in the order
// given, each row starting with its host when labelled; a host that fails
// is reported and left out. After the table, a line "[HOST: ]access valid
// until TIME" for each host that says until when the access is valid (an
// OpenSSH certificate's end of validity).
func (r *Runner) List(ctx context.Context, w io.Writer) error {
	listings := make([]wire.Listing, len(r.sources))
	r.run(ctx, r.cfg.Jobs, func(ctx context.Context, i int) (err error) {
		listings[i], err = r.sources[i].List(ctx)
		return err
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, l := range listings {
		host := ""
		if r.cfg.Labelled {
			host = r.cfg.Hosts[i]
		}
		WriteLogs(tw, host, l.Logs)
	}
	if err := tw.Flush(); err != nil {
		r.outputFailed(err)
	}
	for i, l := range listings {
		if l.AccessUntil == "" {
			continue
		}
		if r.cfg.Labelled {
			fmt.Fprintf(w, "%s: ", wire.Sanitize(r.cfg.Hosts[i]))
		}
		fmt.Fprintf(w, "access valid until %s\n", wire.Sanitize(l.AccessUntil))
	}
	return r.result(ctx)
}

// WriteLogs writes one tab-separated row per log (name, size, mtime),
// each starting with host when host is not "", every remote text shown as
// wire.Sanitize shows it.
func WriteLogs(w io.Writer, host string, logs []wire.LogInfo) {
	prefix := ""
	if host != "" {
		prefix = wire.Sanitize(host) + "\t"
	}
	for _, l := range logs {
		size := "-"
		if l.Size >= 0 {
			size = fmt.Sprint(l.Size)
		}
		fmt.Fprintf(w, "%s%s\t%s\t%s\n", prefix, wire.Sanitize(l.Name), size, wire.Sanitize(l.MTime))
	}
}

// LinesOptions say how Lines orders the hosts' lines.
type LinesOptions struct {
	// Merge orders the lines of several hosts by time (Merger) instead of
	// arrival.
	Merge bool
	// Delay is the live merge's delay for a follow (MergeOptions.Delay).
	Delay time.Duration
}

// Lines prints the lines req selects on every host through fp: in arrival
// order or, with opt.Merge, merged by time (all hosts at once, as a merge
// needs every host's next line). A follow keeps every host open at once;
// otherwise at most Jobs hosts are read at once.
func (r *Runner) Lines(ctx context.Context, req client.Request, fp *Printer, opt LinesOptions) error {
	return r.lines(ctx, fp, opt, req.Follow, func(ctx context.Context, i int, emit func([]byte) error) error {
		return r.sources[i].Lines(ctx, r.request(i, req), emit)
	})
}

// Copy writes every host's log (req as for client.Source.Copy) through
// fp: one host's bytes as they are, several hosts' as labelled lines in
// arrival order or, with opt.Merge, merged by time.
func (r *Runner) Copy(ctx context.Context, req client.Request, fp *Printer, opt LinesOptions) error {
	req.Progress, req.OnCopyStart = nil, nil
	var pr *progress
	if !r.cfg.Labelled {
		if pr = startProgress(r.cfg.Stderr, r.cfg.Hosts[0]); pr != nil {
			req.Progress, req.OnCopyStart = pr.add, pr.started
		}
	}
	err := r.lines(ctx, fp, opt, false, func(ctx context.Context, i int, emit func([]byte) error) error {
		lw := &LineWriter{Emit: emit}
		err := r.sources[i].Copy(ctx, r.linkDebug(i, req), lw)
		if err == nil {
			err = lw.Close()
		}
		return err
	})
	pr.end(err)
	return err
}

// CopyFiles copies every host's log into a file: the one host's to out
// (out/NAME when out is a directory, see client.OutputPath), or when
// labelled each host's to out/HOST/NAME (see HostDirs), at most Jobs at
// once. With Verbose it says where a resumed copy starts.
func (r *Runner) CopyFiles(ctx context.Context, req client.Request, out string) error {
	dest := func(_ int, name string) (string, error) { return client.OutputPath(out, name) }
	req.Progress = nil
	var pr *progress
	if r.cfg.Labelled {
		dirs, err := HostDirs(r.cfg.Hosts)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			return err
		}
		dest = func(i int, name string) (string, error) {
			dir := filepath.Join(out, dirs[i])
			return filepath.Join(dir, name), os.MkdirAll(dir, 0o755)
		}
	} else if err := client.CheckOutput(out); err != nil {
		return err // before dialling
	} else if pr = startProgress(r.cfg.Stderr, r.cfg.Hosts[0]); pr != nil {
		req.Progress = pr.add
	}
	r.run(ctx, r.cfg.Jobs, func(ctx context.Context, i int) error {
		req := req
		req.OnCopyStart = func(from, size int64) {
			if from > 0 {
				r.debugf(i, "resuming the partial copy at byte %d of %d", from, size)
			}
			if pr != nil {
				pr.started(from, size)
			}
		}
		file, err := r.sources[i].CopyFile(ctx, r.linkDebug(i, req), func(name string) (string, error) { return dest(i, name) })
		if err == nil {
			r.debugf(i, "wrote %s", file)
		}
		return err
	})
	err := r.result(ctx)
	pr.end(err)
	return err
}

// request is req for host i: its follow's reports go to stderr.
func (r *Runner) request(i int, req client.Request) client.Request {
	req = r.linkDebug(i, req)
	req.OnOpen = func(o wire.Open) {
		r.debugf(i, "following %q: file %q from byte %d (%s)", o.Log, o.ID, o.Offset, wire.Sanitize(o.Reason))
	}
	if req.Reconnect != nil {
		ro := *req.Reconnect
		ro.OnRetry = func(err error, wait time.Duration) {
			r.warnf(i, "%v; reconnecting in %s", err, wait.Round(time.Millisecond))
		}
		req.Reconnect = &ro
	}
	return req
}

// linkDebug returns req that, with Verbose, says how --compress auto
// judged host i's link.
func (r *Runner) linkDebug(i int, req client.Request) client.Request {
	if r.cfg.Verbose {
		req.OnLink = func(rtt time.Duration, compression string) {
			if compression == "" {
				compression = "none"
			}
			r.debugf(i, "round trip %s: compression %s", rtt.Round(time.Microsecond), compression)
		}
	}
	return req
}

// lineStream produces the lines of host i, passing them to emit, until
// its stream ends or ctx does.
type lineStream func(ctx context.Context, i int, emit func(lines []byte) error) error

// lines prints the lines of every host through fp: in arrival order,
// all hosts at once when live, else at most Jobs at once, or, with merge,
// merged by time. It returns the command's result.
func (r *Runner) lines(parent context.Context, fp *Printer, opt LinesOptions, live bool, stream lineStream) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	n := len(r.sources)
	jobs := r.cfg.Jobs
	if live {
		jobs = 0
	}
	var m *Merger
	merged := make(chan error, 1)
	if opt.Merge && n > 1 { // one host's lines are in order already
		mo := MergeOptions{}
		if live {
			mo.Delay = opt.Delay
			mo.Flush = fp.Flush // live: out at once; finite: when the buffer fills
		}
		m = NewMerger(n, mo, fp.Lines)
		go func() {
			err := m.Run(ctx)
			if err != nil {
				cancel() // the output failed: stop every host
			}
			merged <- err
		}()
		jobs = 0
	}
	fp.flushes = live && m == nil // a live merge flushes after each round
	r.run(ctx, jobs, func(ctx context.Context, i int) error {
		emit := func(b []byte) error {
			err := fp.Lines(i, b)
			if err != nil {
				cancel()
			}
			return err
		}
		if m != nil {
			defer m.Close(i)
			emit = func(b []byte) error { return m.Push(ctx, i, b) }
		}
		return stream(ctx, i, emit)
	})
	if m != nil {
		if err := <-merged; err != nil && !errors.Is(err, context.Canceled) {
			r.outputFailed(err)
		}
	}
	if err := fp.Flush(); err != nil {
		r.outputFailed(err)
	}
	return r.result(parent)
}

// SharedDirError refuses fetch -o DIR for two hosts that would share a
// directory.
type SharedDirError struct{ First, Second, Dir string }

func (e *SharedDirError) Error() string {
	return fmt.Sprintf("fetch -o: hosts %q and %q would share the directory %q", e.First, e.Second, e.Dir)
}

// HostDirs returns the directory name of each host under fetch -o DIR:
// the host as given, with "ssh://" dropped and any character that could
// leave DIR ("/", "\", control characters) made "_"; "." and ".."
// become "_." and "_..". Two hosts that would share a directory are
// refused with a *SharedDirError.
func HostDirs(hosts []string) ([]string, error) {
	dirs := make([]string, len(hosts))
	owner := make(map[string]string, len(hosts))
	for i, h := range hosts {
		d := strings.Map(func(r rune) rune {
			if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
				return '_'
			}
			return r
		}, strings.TrimPrefix(h, "ssh://"))
		if d == "." || d == ".." {
			d = "_" + d
		}
		if prev, ok := owner[d]; ok {
			return nil, &SharedDirError{prev, h, d}
		}
		owner[d] = h
		dirs[i] = d
	}
	return dirs, nil
}
