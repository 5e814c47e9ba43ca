package accesslog

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func readLines(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	return lines
}

func TestDetect(t *testing.T) {
	tests := []struct {
		file string
		want string
		bad  int // lines that do not parse with the detected format
	}{
		{"common.log", NameCommon, 0},
		{"combined.log", NameCombined, 1}, // lines 18 and 19 are cut short: partial records
		{"vhost_combined.log", NameVHostCombined, 0},
		{"nginx_main.log", NameNginxMain, 0},
		{"nginx_json.log", NameJSON, 0},
		{"caddy.log", NameJSON, 1},
	}
	for _, tt := range tests {
		lines := readLines(t, tt.file)
		f := Detect(lines)
		if f.Name() != tt.want {
			t.Errorf("Detect(%s) = %q, want %q", tt.file, f.Name(), tt.want)
			continue
		}
		p := NewParser(f)
		var rec Record
		bad := 0
		for _, l := range lines {
			if err := p.Parse(l, &rec); err != nil {
				bad++
				t.Logf("%s: kept raw: %.60q: %v", tt.file, l, err)
			}
		}
		if bad != tt.bad {
			t.Errorf("%s: %d lines do not parse as %s, want %d", tt.file, bad, f.Name(), tt.bad)
		}
	}
	if f := Detect([][]byte{[]byte("hello"), []byte("")}); !f.IsZero() {
		t.Errorf("Detect(garbage) = %q, want the zero Format", f.Name())
	}
	if f := Detect(nil); !f.IsZero() {
		t.Errorf("Detect(nil) = %q, want the zero Format", f.Name())
	}
}
