package policy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"

	"github.com/weblogctl/weblogctl/wire"
)

func TestParseLog(t *testing.T) {
	good := map[string]Log{
		"access=/var/log/nginx/access.log":   {"access", "/var/log/nginx/access.log"},
		"a.b-c_d=/var/log/../log/x.log":      {"a.b-c_d", "/var/log/x.log"},
		"err=/var/log/with=equals/error.log": {"err", "/var/log/with=equals/error.log"},
	}
	for in, want := range good {
		got, err := ParseLog(in)
		if err != nil || got != want {
			t.Errorf("ParseLog(%q) = %+v, %v, want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "access", "=/x", "access=relative.log", "../x=/x", "a/b=/x", "-x=/x", "x=/", "x=/a\x00b"} {
		if got, err := ParseLog(in); err == nil {
			t.Errorf("ParseLog(%q) = %+v, want an error", in, got)
		}
	}
}

func TestLookup(t *testing.T) {
	p, err := New([]Log{{"access", "/a"}, {"error", "/e"}})
	if err != nil {
		t.Fatal(err)
	}
	if l, err := p.Lookup("error"); err != nil || l.Path != "/e" {
		t.Errorf("Lookup(error) = %+v, %v", l, err)
	}
	for _, name := range []string{"nope", "ACCESS", "/a", "access/", ""} {
		if _, err := p.Lookup(name); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Lookup(%q) = %v, want ErrUnavailable", name, err)
		}
	}
	if _, err := New([]Log{{"a", "/a"}, {"a", "/b"}}); err == nil {
		t.Error("New accepted a duplicate name")
	}
	var zero *Policy
	if _, err := zero.Lookup("access"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("nil policy Lookup = %v", err)
	}
}

func TestOpenFileRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "access.log")
	if err := os.WriteFile(reg, []byte("line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.log")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.log")
	if err := os.Link(secret, hard); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.log")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFile(reg)
	if err != nil {
		t.Fatalf("OpenFile(regular) = %v", err)
	}
	f.Close()
	// A FIFO with no writer would block a plain open forever; this must
	// return at once.
	for _, p := range []string{link, hard, secret, fifo, dir, "/dev/null", filepath.Join(dir, "missing")} {
		if f, err := OpenFile(p); !errors.Is(err, ErrUnavailable) {
			if f != nil {
				f.Close()
			}
			t.Errorf("OpenFile(%s) = %v, want ErrUnavailable", p, err)
		}
	}
}

func TestSiblings(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"access.log", "access.log.1", "access.log.2.gz", "access.log.10.gz", "access.log.3",
		"access.log.old", "access.log.0", "access.logx.1", "access.log.1.bak", "other.log.1", "access.log-20260101"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "access.log.4")); err != nil {
		t.Fatal(err)
	}
	got, err := Log{"access", filepath.Join(dir, "access.log")}.Siblings()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, filepath.Base(p))
	}
	want := []string{"access.log-20260101", "access.log.1", "access.log.2.gz", "access.log.3", "access.log.10.gz"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("Siblings = %q, want %q", names, want)
	}
}

func TestOpenRelated(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"access.log", "access.log.1", "access.logger", "error.log"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l := Log{"access", filepath.Join(dir, "access.log")}
	for _, n := range []string{"access.log", "access.log.1"} {
		f, err := l.OpenRelated(filepath.Join(dir, n))
		if err != nil {
			t.Errorf("OpenRelated(%s) = %v", n, err)
			continue
		}
		f.Close()
	}
	for _, p := range []string{filepath.Join(dir, "access.logger"), filepath.Join(dir, "error.log"), filepath.Join(dir, "sub", "access.log.1"), "/etc/passwd", filepath.Join(dir, "..", filepath.Base(dir), "error.log")} {
		if f, err := l.OpenRelated(p); !errors.Is(err, ErrUnavailable) {
			if f != nil {
				f.Close()
			}
			t.Errorf("OpenRelated(%s) = %v, want ErrUnavailable", p, err)
		}
	}
}

// FuzzParseLog: accepted ⇒ a valid name and an absolute, clean path.
func FuzzParseLog(f *testing.F) {
	f.Add("access=/var/log/nginx/access.log")
	f.Add("a=/x/../../etc/passwd")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLog(s)
		if err != nil {
			if l != (Log{}) {
				t.Fatalf("error %v with %+v", err, l)
			}
			return
		}
		if !filepath.IsAbs(l.Path) || filepath.Clean(l.Path) != l.Path || l.Path == "/" || wire.CheckLogName(l.Name) != nil {
			t.Fatalf("ParseLog(%q) = %+v", s, l)
		}
	})
}
