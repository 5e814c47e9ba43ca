package redact

import (
	"bytes"
	"fmt"
	"testing"
)

func benchLines(n int) [][]byte {
	uas := []string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:38.0) Gecko/20100101 Firefox/38.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
		"curl/8.0.1",
	}
	lines := make([][]byte, n)
	for i := range lines {
		lines[i] = fmt.Appendf(nil, "203.0.%d.%d - - [17/May/2015:10:05:%02d +0000] \"GET /blog/post-%d?utm_source=x&id=%d HTTP/1.1\" 200 %d \"https://www.example.com/?q=%d\" \"%s\"\n",
			i%256, (i*7)%256, i%60, i, i, 1000+i, i, uas[i%len(uas)])
	}
	return lines
}

func benchRedact(b *testing.B, keys []string) {
	lines := benchLines(1000)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	r, err := New(keys)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]byte, 0, 1024)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range lines {
			dst = r.Line(dst[:0], l)
		}
	}
}

// BenchmarkNone is the fast path: no keys, a copy.
func BenchmarkNone(b *testing.B) { benchRedact(b, nil) }

// BenchmarkIPQuery needs no parsing.
func BenchmarkIPQuery(b *testing.B) { benchRedact(b, []string{IP, Query}) }

// BenchmarkAll parses every line to find the user and user agent.
func BenchmarkAll(b *testing.B) { benchRedact(b, all) }

// BenchmarkCopy is the baseline: bytes.Buffer copying the lines.
func BenchmarkCopy(b *testing.B) {
	lines := benchLines(1000)
	var buf bytes.Buffer
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, l := range lines {
			buf.Reset()
			buf.Write(l)
		}
	}
}
