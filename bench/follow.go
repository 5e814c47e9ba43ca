package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// latency is what one follower showed over some rounds.
type latency struct {
	Samples []time.Duration // append → line on the follower's stdout
	Lost    int             // lines that never arrived
}

// followLatency measures a follower of the log at path (a command that
// prints appended lines on stdout) over rounds, each a fresh follower
// that sees lines lines appended pace apart. Each line is one write of
// a complete combined-format line carrying a sequence number; its
// latency is from just before the write to when the follower's line is
// read. A round starts measuring once a warm-up line came through.
func followLatency(ctx context.Context, path string, follower func(ctx context.Context) *exec.Cmd, rounds, lines int, pace time.Duration) (latency, error) {
	var lat latency
	for round := range rounds {
		got, lost, err := followRound(ctx, path, follower, round, lines, pace)
		if err != nil {
			return lat, err
		}
		lat.Samples = append(lat.Samples, got...)
		lat.Lost += lost
	}
	return lat, nil
}

// followRound is one round of followLatency.
func followRound(ctx context.Context, path string, follower func(ctx context.Context) *exec.Cmd, round, lines int, pace time.Duration) ([]time.Duration, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, 0, err
	}
	defer w.Close()

	cmd := follower(ctx)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()

	var (
		mu      sync.Mutex
		arrived = map[int]time.Time{}
		warm    = make(chan struct{})
		once    sync.Once
	)
	go func() { // read the follower's stdout
		r := bufio.NewReaderSize(out, 64<<10)
		for {
			line, err := r.ReadSlice('\n')
			now := time.Now()
			if err != nil && err != bufio.ErrBufferFull {
				return
			}
			if bytes.Contains(line, []byte("/bench/warmup")) {
				once.Do(func() { close(warm) })
				continue
			}
			if i := bytes.Index(line, []byte("seq=")); i >= 0 && i+10 <= len(line) {
				if seq, err := strconv.Atoi(string(line[i+4 : i+10])); err == nil {
					mu.Lock()
					arrived[seq] = now
					mu.Unlock()
				}
			}
		}
	}()

	// Warm up: append a line every 100 ms until one arrives, so that the
	// follower has connected and fixed its start position.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
warmup:
	for start := time.Now(); ; {
		if _, err := w.WriteString(followLine(time.Now(), "/bench/warmup")); err != nil {
			return nil, 0, err
		}
		select {
		case <-warm:
			break warmup
		case <-tick.C:
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
		if time.Since(start) > 15*time.Second {
			return nil, 0, fmt.Errorf("%s: no line came through in 15s: %s", cmd, firstLines(stderr.String(), 3))
		}
	}
	time.Sleep(200 * time.Millisecond)

	sent := make([]time.Time, lines)
	next := time.Now()
	for i := range lines {
		time.Sleep(time.Until(next))
		next = next.Add(pace)
		seq := round*lines + i
		t := time.Now()
		if _, err := w.WriteString(followLine(t, fmt.Sprintf("/bench/follow?seq=%06d", seq))); err != nil {
			return nil, 0, err
		}
		sent[i] = t
	}
	// Wait for stragglers: until all arrived, or 3 s without progress.
	for last, lastN := time.Now(), -1; time.Since(last) < 3*time.Second; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(arrived)
		mu.Unlock()
		if n == lines {
			break
		}
		if n != lastN {
			last, lastN = time.Now(), n
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var got []time.Duration
	for i, t := range sent {
		if a, ok := arrived[round*lines+i]; ok {
			got = append(got, a.Sub(t))
		}
	}
	return got, lines - len(got), nil
}

// followLine is a combined-format line for path, stamped t.
func followLine(t time.Time, path string) string {
	return fmt.Sprintf("192.0.2.7 - - [%s] \"GET %s HTTP/1.1\" 200 512 \"-\" \"bench/1.0\"\n", t.UTC().Format("02/Jan/2006:15:04:05 -0700"), path)
}
