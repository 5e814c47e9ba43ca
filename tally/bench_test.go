package tally

import (
	"bytes"
	"testing"

	"github.com/weblogctl/weblogctl/accesslog"
)

// benchAggregate measures parse plus aggregation of a realistic combined
// log, reported as lines/s (the issue's target is `stats --by
// status,path`).
func benchAggregate(b *testing.B, keys []Key) {
	log := []byte(genLog(100000, 11, false))
	lines := bytes.SplitAfter(log, []byte("\n"))
	p := accesslog.NewParser(accesslog.Combined())
	var rec accesslog.Record
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		tb := New(keys, 0)
		for _, l := range lines {
			if p.Parse(l, &rec) != nil {
				tb.AddUnparsed()
				continue
			}
			tb.Add(&rec)
		}
		n += len(lines)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkStatusPath(b *testing.B) { benchAggregate(b, []Key{KeyStatus, KeyPath}) }
func BenchmarkIP(b *testing.B)         { benchAggregate(b, []Key{KeyIP}) }
func BenchmarkMinuteUA(b *testing.B)   { benchAggregate(b, []Key{KeyMinute, KeyUA}) }

// BenchmarkParseOnly is the baseline: the parse without aggregation.
func BenchmarkParseOnly(b *testing.B) { benchAggregate(b, nil) }
