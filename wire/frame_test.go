package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestFramesRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	fw := NewFrameWriter(&buf)
	big := bytes.Repeat([]byte("x"), MaxData+10)
	if err := fw.WriteJSON(FrameOpen, Open{Log: "access", ID: "1:2:0:", Reason: "start"}); err != nil {
		t.Fatal(err)
	}
	if err := fw.WriteData(100, big); err != nil {
		t.Fatal(err)
	}
	if err := fw.WriteFrame(FrameHeartbeat, nil); err != nil {
		t.Fatal(err)
	}
	if err := fw.WriteJSON(FrameEnd, End{Bytes: 3}); err != nil {
		t.Fatal(err)
	}
	fr := NewFrameReader(&buf)
	f, err := fr.Next()
	var o Open
	if err != nil || f.Type != FrameOpen || f.Decode(&o) != nil || o.Log != "access" {
		t.Fatalf("first frame = %q %q, %v", f.Type, f.Payload, err)
	}
	var got []byte
	want := int64(100)
	for range 2 {
		f, err = fr.Next()
		if err != nil {
			t.Fatal(err)
		}
		off, data, err := f.DataOffset()
		if err != nil || off != want {
			t.Fatalf("data frame at %d, %v; want offset %d", off, err, want)
		}
		got = append(got, data...)
		want += int64(len(data))
	}
	if !bytes.Equal(got, big) {
		t.Fatalf("data: got %d bytes, want %d", len(got), len(big))
	}
	if f, err = fr.Next(); err != nil || f.Type != FrameHeartbeat || len(f.Payload) != 0 {
		t.Fatalf("heartbeat = %q %q, %v", f.Type, f.Payload, err)
	}
	if f, err = fr.Next(); err != nil || f.Type != FrameEnd {
		t.Fatalf("end = %q, %v", f.Type, err)
	}
	if _, err = fr.Next(); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

func TestFrameReaderRefuses(t *testing.T) {
	tests := map[string][]byte{
		"oversized": {'D', 0xff, 0xff, 0xff, 0xff},
		"truncated": {'D', 0, 0, 0, 9, 1, 2},
		"header":    {'D', 0},
	}
	for name, in := range tests {
		_, err := NewFrameReader(bytes.NewReader(in)).Next()
		if err == nil || errors.Is(err, io.EOF) {
			t.Errorf("%s: Next() = %v, want an error other than io.EOF", name, err)
		}
	}
	if _, _, err := (Frame{Type: FrameData, Payload: []byte{1}}).DataOffset(); err == nil {
		t.Error("DataOffset accepted a 1-byte payload")
	}
}

func FuzzFrameReader(f *testing.F) {
	f.Add([]byte("K\x00\x00\x00\x00"))
	f.Add([]byte("D\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00\x00\x01x"))
	f.Fuzz(func(t *testing.T, in []byte) {
		fr := NewFrameReader(bytes.NewReader(in))
		var out bytes.Buffer
		fw := NewFrameWriter(&out)
		for {
			fr, err := fr.Next()
			if err != nil {
				break
			}
			if len(fr.Payload) > MaxFrame {
				t.Fatalf("payload of %d bytes", len(fr.Payload))
			}
			if err := fw.WriteFrame(fr.Type, fr.Payload); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.HasPrefix(in, out.Bytes()) {
			t.Fatalf("frames read from %q re-marshal to %q", in, out.Bytes())
		}
	})
}
