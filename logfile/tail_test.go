//go:build unix

package logfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTail(t *testing.T) {
	long1 := strings.Repeat("a", 200<<10) + "\n"
	long2 := strings.Repeat("b", 100<<10) + "\n"
	for _, tc := range []struct {
		name    string
		content string
		n       int
		want    int
	}{
		{"empty", "", 3, 0},
		{"n=0 is the size", "a\nb\nc\n", 0, 6},
		{"last line", "a\nb\nc\n", 1, 4},
		{"two lines", "a\nb\nc\n", 2, 2},
		{"all lines", "a\nb\nc\n", 3, 0},
		{"n > lines", "a\nb\nc\n", 10, 0},
		{"no final newline", "a\nb\nc", 1, 4},
		{"no final newline, two", "a\nb\nc", 2, 2},
		{"one line without newline", "abc", 1, 0},
		{"empty lines", "\n\n\n", 1, 2},
		{"empty lines, two", "\n\n\n", 2, 1},
		{"lines longer than a block", long1 + long2 + "x\n", 1, len(long1) + len(long2)},
		{"lines longer than a block, two", long1 + long2 + "x\n", 2, len(long1)},
		{"lines longer than a block, three", long1 + long2 + "x\n", 3, 0},
		{"newline on a block boundary", strings.Repeat("c", tailBlock-1) + "\n" + "d\n", 1, tailBlock},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log")
			writeFile(t, path, tc.content)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := Tail(f, tc.n)
			if err != nil || got != int64(tc.want) {
				t.Errorf("Tail(%d) = %d, %v; want %d", tc.n, got, err, tc.want)
			}
		})
	}
}
