package redact

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWriter(t *testing.T) {
	r, _ := New(all)
	var out bytes.Buffer
	w := NewWriter(&out, r, 32)
	in := "1.2.3.4 /a?b=c\n" + // whole
		"5.6.7.8 " + "/x?" + strings.Repeat("s", 40) + " 9.9.9.9 tail\n" + // overlong: cut at 32 bytes
		"10.1.1.1 end" // no line ending: held back until Flush
	for _, chunk := range []string{in[:3], in[3:20], in[20:]} {
		if n, err := w.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if got, want := out.String(), "1.2.3.0 /a\n5.6.7.0 /x\n"; got != want {
		t.Errorf("before Flush: %q, want %q", got, want)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "1.2.3.0 /a\n5.6.7.0 /x\n10.1.1.0 end"; got != want {
		t.Errorf("after Flush: %q, want %q", got, want)
	}
}

func TestWriterCutAddress(t *testing.T) {
	r, _ := New([]string{IP})
	var out bytes.Buffer
	w := NewWriter(&out, r, 16)
	// The cut falls inside an IPv6 address: its head must not be written.
	w.Write([]byte("xxxxxx 2001:db8:1:2:3:4:5:6\nok 1.2.3.4\n"))
	if got, want := out.String(), "xxxxxx \nok 1.2.3.0\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("broken pipe")
}

func TestWriterError(t *testing.T) {
	r, _ := New(all)
	fw := &failWriter{}
	w := NewWriter(fw, r, 0)
	if _, err := w.Write([]byte("a\n")); err == nil {
		t.Fatal("Write did not report the failure")
	}
	if _, err := w.Write([]byte("b\n")); err == nil || fw.n != 1 {
		t.Fatalf("second Write = %v after %d writes; want the sticky error and no write", err, fw.n)
	}
	if err := w.Flush(); err == nil {
		t.Fatal("Flush did not report the failure")
	}
}
