// Command tailcompare measures how many lines file followers lose or
// duplicate while the file is rotated by rename+create under load:
// github.com/hpcloud/tail (named in weblogctl's original design), its
// maintained fork github.com/nxadm/tail, and weblogctl's own
// logfile.Follow. It is a separate module so that the compared libraries
// never enter weblogctl's own go.mod.
//
//	cd bench/tailcompare && go run . -lines 200000 -rotate 40000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	hpcloud "github.com/hpcloud/tail"
	nxadm "github.com/nxadm/tail"

	"github.com/weblogctl/weblogctl/logfile"
)

func main() {
	lines := flag.Int("lines", 200000, "lines to write")
	every := flag.Int("rotate", 40000, "rotate (rename+create) after every N lines")
	pace := flag.Duration("pace", 0, "pause after every 100 lines (0: full speed)")
	settle := flag.Duration("settle", 10*time.Second, "time the followers get after the last line")
	flag.Parse()

	for _, name := range []string{"hpcloud/tail", "nxadm/tail", "weblogctl logfile"} {
		got, dup := run(name, *lines, *every, *pace, *settle)
		fmt.Printf("%-18s wrote %d, received %d distinct, lost %d, duplicated %d\n", name, *lines, got, *lines-got, dup)
	}
}

// run writes the lines while one follower of kind name reads them, and
// returns how many distinct lines it received and how many twice.
func run(name string, n, every int, pace, settle time.Duration) (int, int) {
	dir, err := os.MkdirTemp("", "tailcompare-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "access.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		panic(err)
	}
	var mu sync.Mutex
	seen := make(map[int]int, n)
	record := func(line string) {
		if i, err := strconv.Atoi(line); err == nil {
			mu.Lock()
			seen[i]++
			mu.Unlock()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		switch name {
		case "hpcloud/tail":
			t, err := hpcloud.TailFile(path, hpcloud.Config{Follow: true, ReOpen: true, Logger: hpcloud.DiscardingLogger})
			if err != nil {
				panic(err)
			}
			close(ready)
			go func() { <-ctx.Done(); t.Stop() }()
			for l := range t.Lines {
				record(l.Text)
			}
		case "nxadm/tail":
			t, err := nxadm.TailFile(path, nxadm.Config{Follow: true, ReOpen: true, Logger: nxadm.DiscardingLogger})
			if err != nil {
				panic(err)
			}
			close(ready)
			go func() { <-ctx.Done(); t.Stop() }()
			for l := range t.Lines {
				record(l.Text)
			}
		default:
			src := logfile.Source{Path: path, Open: os.Open, Siblings: logfile.RotatedSiblings(path)}
			logfile.Follow(ctx, src, logfile.Options{Ready: func() { close(ready) }}, func(ev logfile.Event) error {
				if ev.Kind == logfile.EventData {
					start := 0
					for i, c := range ev.Data {
						if c == '\n' {
							record(string(ev.Data[start:i]))
							start = i + 1
						}
					}
				}
				return nil
			})
		}
	}()
	<-ready
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	rotations := 0
	for i := 1; i <= n; i++ {
		fmt.Fprintf(f, "%d\n", i)
		if i%every == 0 && i < n {
			// Shift path.N to path.N+1, newest first as logrotate does.
			for k := rotations; k >= 1; k-- {
				os.Rename(fmt.Sprintf("%s.%d", path, k), fmt.Sprintf("%s.%d", path, k+1))
			}
			rotations++
			os.Rename(path, path+".1")
			f.Close()
			if f, err = os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644); err != nil {
				panic(err)
			}
		}
		if pace > 0 && i%100 == 0 {
			time.Sleep(pace)
		}
	}
	f.Close()
	time.Sleep(settle) // give the follower time to catch up before counting
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second): // hpcloud's Stop can block; count anyway
	}
	mu.Lock()
	defer mu.Unlock()
	dup := 0
	for _, c := range seen {
		dup += c - 1
	}
	return len(seen), dup
}
