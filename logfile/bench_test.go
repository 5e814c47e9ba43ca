//go:build unix

package logfile

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkFollow measures lines appended and delivered per second: a
// writer appends b.N lines of about 100 bytes in writes of 100 lines while
// Follow delivers them.
func BenchmarkFollow(b *testing.B) {
	path := filepath.Join(b.TempDir(), "access.log")
	writeFile(b, path, "")
	line := strings.Repeat("x", 99) + "\n"
	batch := strings.Repeat(line, 100)
	got := make(chan struct{})
	var n int
	want := b.N
	emit := func(ev Event) error {
		for _, c := range ev.Data {
			if c == '\n' {
				n++
			}
		}
		if n == want {
			close(got)
		}
		return nil
	}
	startFollow(b, Source{Path: path, Open: safeOpen}, Options{}, emit)
	w := newWriter(b, path, 1)
	defer w.close()
	b.ResetTimer()
	start := time.Now()
	for left := b.N; left > 0; left -= 100 {
		chunk := batch
		if left < 100 {
			chunk = batch[:left*len(line)]
		}
		if _, err := w.f.WriteString(chunk); err != nil {
			b.Fatal(err)
		}
	}
	<-got
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lines/s")
}
