package sshserver

import (
	"bytes"
	"testing"
)

func TestTTYWriter(t *testing.T) {
	tests := []struct {
		writes []string
		want   string
	}{
		{[]string{"a\nb\n"}, "a\r\nb\r\n"},
		{[]string{"crlf\r\n"}, "crlf\r\n"},
		{[]string{"split cr\r", "\n"}, "split cr\r\n"},
		{[]string{"lone\rcr"}, `lone\x0Dcr`},
		{[]string{"tab\tkept"}, "tab\tkept"},
		{[]string{"\x1b[2J\x07\x00\x7f"}, `\x1B[2J\x07\x00\x7F`},
		{[]string{"caf\xc3\xa9 \xe2\x82\xac"}, "café €"},
		{[]string{"split \xe2\x82", "\xac rune"}, "split € rune"},
		{[]string{"c1 \xc2\x9b31m"}, `c1 \xC2\x9B31m`},
		{[]string{"bad \xff\xfe utf8"}, `bad \xFF\xFE utf8`},
		{[]string{"ends mid-rune \xe2\x82"}, `ends mid-rune \xE2\x82`},
		{[]string{"ends with cr\r"}, `ends with cr\x0D`},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		w := newTTYWriter(&out)
		for _, s := range tt.writes {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Errorf("Write(%q) = %d, %v", s, n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		if out.String() != tt.want {
			t.Errorf("ttyWriter(%q) = %q, want %q", tt.writes, out.String(), tt.want)
		}
	}
}

func FuzzTTYWriter(f *testing.F) {
	f.Add([]byte("a\r\nb\x1b[2J\xe2\x82\xac\xff"), 3)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		var out bytes.Buffer
		w := newTTYWriter(&out)
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		w.Write(data[:split])
		w.Write(data[split:])
		w.Flush()
		// Invariant: nothing a terminal acts on gets through, except the
		// CR LF pairs written for line ends.
		b := bytes.ReplaceAll(out.Bytes(), []byte("\r\n"), nil)
		for i, c := range b {
			if (c < 0x20 && c != '\t') || c == 0x7f {
				t.Fatalf("control byte %#x at %d in %q", c, i, out.Bytes())
			}
		}
		if !bytes.Equal(bytes.ToValidUTF8(b, nil), b) {
			t.Fatalf("invalid UTF-8 in %q", out.Bytes())
		}
		for _, r := range string(b) {
			if r >= 0x80 && r < 0xa0 {
				t.Fatalf("C1 control %U in %q", r, out.Bytes())
			}
		}
		// Every LF of the input became CR LF.
		if got, want := bytes.Count(out.Bytes(), []byte("\r\n")), bytes.Count(data, []byte("\n")); got != want {
			t.Fatalf("%d CR LF for %d LF in %q", got, want, data)
		}
	})
}
