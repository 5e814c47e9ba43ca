//go:build unix

package logfile

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIdentityOf(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, FingerprintSize - 1, FingerprintSize, 3 * FingerprintSize} {
		path := filepath.Join(dir, "f")
		content := strings.Repeat("a", size)
		writeFile(t, path, content)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		id, err := IdentityOf(f)
		if err != nil {
			t.Fatal(err)
		}
		n := min(size, FingerprintSize)
		if id.FPLen != n || id.FP != sha256.Sum256([]byte(content[:n])) {
			t.Errorf("size %d: IdentityOf = FPLen %d, want %d with its SHA-256", size, id.FPLen, n)
		}
		if off, _ := f.Seek(0, 1); off != 0 {
			t.Errorf("size %d: IdentityOf moved the offset to %d", size, off)
		}
		if same, err := id.Same(f); !same || err != nil {
			t.Errorf("size %d: Same(itself) = %v, %v", size, same, err)
		}
		f.Close()
	}
}

func TestIdentitySame(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	writeFile(t, path, "first line\nsecond line\n")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, err := IdentityOf(f)
	if err != nil {
		t.Fatal(err)
	}

	appendFile(t, path, "more\n")
	if same, _ := id.Same(f); !same {
		t.Error("Same after append = false, want true")
	}

	copyPath := filepath.Join(dir, "copy")
	writeFile(t, copyPath, "first line\nsecond line\nmore\n")
	c, err := os.Open(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if same, _ := id.Same(c); same {
		t.Error("Same(copy) = true, want false (other inode)")
	}
	if same, _ := id.SameContent(c); !same {
		t.Error("SameContent(copy) = false, want true")
	}

	// Truncated and rewritten in place, as copytruncate leaves it.
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "a new first line\n")
	if same, _ := id.Same(f); same {
		t.Error("Same after truncate and rewrite = true, want false")
	}
}

func TestParseIdentity(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2049:131:1024:" + fp, true},
		{"0:0:0:" + fp, true},
		{"18446744073709551615:1:1:" + fp, true},
		{"", false},
		{"2049:131:1024", false},
		{"2049:131:1024:" + fp + ":1", false},
		{"02049:131:1024:" + fp, false},     // leading zero
		{"+2049:131:1024:" + fp, false},     // sign
		{"2049:131:1025:" + fp, false},      // longer than FingerprintSize
		{"2049:131:-1:" + fp, false},        // negative
		{"2049:131:1024:" + fp[:62], false}, // short hash
		{"2049:131:1024:" + strings.ToUpper(fp), false},
		{"2049:131:1024:" + fp[:62] + "zz", false},
		{"18446744073709551616:1:1:" + fp, false}, // overflow
	} {
		id, err := ParseIdentity(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseIdentity(%q) error = %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if err != nil && id != (Identity{}) {
			t.Errorf("ParseIdentity(%q) = %v with an error, want the zero Identity", tc.in, id)
		}
		if err == nil && id.String() != tc.in {
			t.Errorf("ParseIdentity(%q).String() = %q", tc.in, id.String())
		}
	}
}

func TestParseCursor(t *testing.T) {
	id := Identity{Dev: 2049, Ino: 77, FPLen: 12, FP: sha256.Sum256([]byte("hello world\n"))}
	c := Cursor{ID: id, Offset: 12345}
	got, err := ParseCursor(c.String())
	if err != nil || got != c {
		t.Fatalf("ParseCursor(%q) = %v, %v; want %v", c.String(), got, err, c)
	}
	for _, bad := range []string{"", id.String(), id.String() + "@", id.String() + "@-1", id.String() + "@01", id.String() + "@1@2", "x@1"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
}

func FuzzParseIdentity(f *testing.F) {
	f.Add("2049:131:1024:" + strings.Repeat("0f", 32))
	f.Add("0:0:0:" + strings.Repeat("00", 32))
	f.Add("1:2:3:4")
	f.Add("::::")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIdentity(s)
		if err != nil {
			if id != (Identity{}) {
				t.Fatalf("ParseIdentity(%q) = %v with error %v", s, id, err)
			}
			if !errors.Is(err, errBadIdentity) {
				t.Fatalf("ParseIdentity(%q) error %v does not wrap errBadIdentity", s, err)
			}
			return
		}
		if id.String() != s {
			t.Fatalf("ParseIdentity(%q).String() = %q", s, id.String())
		}
		if strings.ContainsAny(s, " \t\n") || id.FPLen < 0 || id.FPLen > FingerprintSize {
			t.Fatalf("ParseIdentity(%q) accepted %v", s, id)
		}
	})
}

func FuzzParseCursor(f *testing.F) {
	f.Add("2049:131:1024:" + strings.Repeat("0f", 32) + "@42")
	f.Add("0:0:0:" + strings.Repeat("00", 32) + "@0")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			if c != (Cursor{}) {
				t.Fatalf("ParseCursor(%q) = %v with error %v", s, c, err)
			}
			return
		}
		if c.String() != s || c.Offset < 0 {
			t.Fatalf("ParseCursor(%q) = %v, String %q", s, c, c.String())
		}
	})
}
