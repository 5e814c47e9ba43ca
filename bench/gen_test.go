package main

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// TestGenLog checks that the generated log is deterministic, has about
// 2% 404s, and that awk's $9 (whitespace-separated field 9) is the
// status of every line, so `awk '$9==404'` is a correct baseline.
func TestGenLog(t *testing.T) {
	var a, b bytes.Buffer
	st, err := genLog(&a, 2e6, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := genLog(&b, 2e6, 7); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different logs")
	}
	if int64(a.Len()) != st.Bytes || st.Bytes < 2e6 {
		t.Errorf("stats say %d bytes, wrote %d (asked for 2e6)", st.Bytes, a.Len())
	}
	if share := float64(st.NotFound) / float64(st.Lines); share < 0.015 || share > 0.025 {
		t.Errorf("404 share %.3f, want about 0.02", share)
	}
	var lines, nf, nfBytes int64
	sc := bufio.NewScanner(&a)
	for sc.Scan() {
		lines++
		f := strings.Fields(sc.Text())
		if len(f) < 12 {
			t.Fatalf("line %d has %d fields: %s", lines, len(f), sc.Text())
		}
		if _, err := strconv.Atoi(f[8]); err != nil {
			t.Fatalf("line %d: field 9 %q is not a status: %s", lines, f[8], sc.Text())
		}
		if f[8] == "404" {
			nf++
			nfBytes += int64(len(sc.Bytes()) + 1)
		}
	}
	if lines != st.Lines || nf != st.NotFound || nfBytes != st.NFBytes {
		t.Errorf("counted %d lines, %d 404s in %d bytes; stats say %d, %d, %d", lines, nf, nfBytes, st.Lines, st.NotFound, st.NFBytes)
	}
}

// TestGenProfiles checks each shape's 404 share and that the profile's
// awk baseline selects exactly the 404 lines the stats count.
func TestGenProfiles(t *testing.T) {
	ps, err := parseProfiles("zipf-0.1,zipf-50,entropy-15,json-2")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		var buf bytes.Buffer
		st, err := genShaped(&buf, 4e6, 3, p)
		if err != nil {
			t.Fatal(err)
		}
		share := float64(st.NotFound) / float64(st.Lines)
		if d := share - p.NotFound; d < -0.01-p.NotFound/10 || d > 0.01+p.NotFound/10 {
			t.Errorf("%s: 404 share %.4f", p.Name(), share)
		}
		var nfBytes int64
		for line := range strings.Lines(buf.String()) {
			var match bool
			if p.Shape == shapeJSON {
				match = strings.Contains(line, `"status":"404"`)
			} else {
				f := strings.Fields(line)
				match = len(f) > 8 && f[8] == "404"
			}
			if match {
				nfBytes += int64(len(line))
			}
		}
		if nfBytes != st.NFBytes {
			t.Errorf("%s: baseline selects %d bytes, stats say %d", p.Name(), nfBytes, st.NFBytes)
		}
	}
	for _, bad := range []string{"zipf", "foo-2", "zipf-x", "zipf-101", "zipf-2,zipf-2"} {
		if _, err := parseProfiles(bad); err == nil {
			t.Errorf("parseProfiles(%q) accepted", bad)
		}
	}
}
