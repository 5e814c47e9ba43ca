package audit

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var when = time.Date(2026, 5, 17, 12, 5, 3, 250_000_000, time.FixedZone("CEST", 2*3600))

func TestAppendLine(t *testing.T) {
	e := Entry{Time: when, Profile: "alice", Key: "SHA256:abc+/def", Client: "203.0.113.7:52144", Verb: "cat",
		Log: "access", Bytes: 5120, Duration: 12 * time.Millisecond, Result: OK}
	want := `2026-05-17T10:05:03.250Z profile=alice key=SHA256:abc+/def client=203.0.113.7:52144 verb=cat log=access bytes=5120 duration=0.012s result=ok reason="" request=""` + "\n"
	if got := string(AppendLine(nil, e)); got != want {
		t.Errorf("AppendLine =\n%s\nwant\n%s", got, want)
	}
	e = Entry{Time: when, Profile: "bob", Client: "[2001:db8::1]:22", Verb: "cat", Log: "/etc/passwd",
		Request: "cat /etc/passwd", Result: Denied, Reason: "no such log, or not allowed"}
	want = `2026-05-17T10:05:03.250Z profile=bob key="" client=[2001:db8::1]:22 verb=cat log=/etc/passwd bytes=0 duration=0.000s result=denied reason="no such log, or not allowed" request="cat /etc/passwd"` + "\n"
	if got := string(AppendLine(nil, e)); got != want {
		t.Errorf("AppendLine =\n%s\nwant\n%s", got, want)
	}
	// A certificate login adds its key ID (escaped like any value) and serial.
	e = Entry{Time: when, Profile: "ops", Key: "SHA256:k", Client: "192.0.2.1:1", Verb: "ls", Result: OK,
		Cert: &Cert{ID: "ann@example.com\n2026", Serial: 18446744073709551615}}
	want = `2026-05-17T10:05:03.250Z profile=ops key=SHA256:k client=192.0.2.1:1 verb=ls log="" bytes=0 duration=0.000s result=ok reason="" request="" cert_id="ann@example.com\n2026" cert_serial=18446744073709551615` + "\n"
	if got := string(AppendLine(nil, e)); got != want {
		t.Errorf("AppendLine =\n%s\nwant\n%s", got, want)
	}
}

// TestForgery sends what an attacker would: line breaks followed by a
// forged record, terminal escapes, and bytes that are not UTF-8.
func TestForgery(t *testing.T) {
	hostile := []string{
		"cat access\r\n2026-01-01T00:00:00Z profile=alice verb=cat result=ok forged ok",
		"\x1b[2J\x1b]0;pwned\x07",
		"a\x00b\x7fc\u0085d\u2028e\u202ef",
		"\xff\xfe invalid",
		`quote " and backslash \ and equals = sign`,
		strings.Repeat("x", 5000),
	}
	var buf bytes.Buffer
	l := New(&buf)
	for _, h := range hostile {
		if err := l.Log(Entry{Time: when, Profile: "p", Verb: h, Log: h, Request: h, Reason: "unknown verb " + h, Result: Denied}); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	if lines[len(lines)-1] != "" || len(lines)-1 != len(hostile) {
		t.Fatalf("%d entries made %d lines:\n%s", len(hostile), len(lines)-1, buf.String())
	}
	for i, line := range lines[:len(hostile)] {
		checkLine(t, line)
		fields := parseLine(t, line)
		want := hostile[i]
		if len(want) > MaxField {
			want = want[:MaxField] + "..."
		}
		if fields["verb"] != want || fields["log"] != want || fields["request"] != want {
			t.Errorf("line %d does not give back the request: %q", i, line)
		}
		if fields["result"] != "denied" || !strings.HasPrefix(line, "2026-05-17T10:05:03.250Z profile=p ") {
			t.Errorf("line %d: %q", i, line)
		}
	}
}

// checkLine fails unless line is printable ASCII ending in its only "\n".
func checkLine(t *testing.T, line string) {
	t.Helper()
	if !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 {
		t.Fatalf("not one line: %q", line)
	}
	for i := 0; i < len(line)-1; i++ {
		if c := line[i]; c < 0x20 || c > 0x7e {
			t.Fatalf("byte %#x at %d in %q", c, i, line)
		}
	}
}

// parseLine reads an audit line back: the time, then name=value pairs,
// values bare or Go-quoted.
func parseLine(t *testing.T, line string) map[string]string {
	t.Helper()
	line = strings.TrimSuffix(line, "\n")
	ts, rest, _ := strings.Cut(line, " ")
	if _, err := time.Parse(time.RFC3339, ts); err != nil {
		t.Fatalf("time %q: %v", ts, err)
	}
	fields := map[string]string{}
	var order []string
	for rest != "" {
		name, v, ok := strings.Cut(rest, "=")
		if !ok {
			t.Fatalf("no '=' in %q", rest)
		}
		if strings.HasPrefix(v, `"`) {
			q, err := strconv.QuotedPrefix(v)
			if err != nil {
				t.Fatalf("bad quoting in %q: %v", v, err)
			}
			u, _ := strconv.Unquote(q)
			fields[name], rest = u, v[len(q):]
		} else {
			val, r, _ := strings.Cut(v, " ")
			fields[name], rest = val, " "+r
			if r == "" {
				rest = ""
			}
		}
		order = append(order, name)
		if rest != "" {
			if rest[0] != ' ' {
				t.Fatalf("no space after %s in %q", name, line)
			}
			rest = rest[1:]
		}
	}
	if got := strings.Join(order, " "); got != "profile key client verb log bytes duration result reason request" {
		t.Fatalf("keys %s", got)
	}
	return fields
}

// TestConcurrentWriters appends from many descriptors of one file at once,
// as separate server processes do, and checks that no line is torn.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	const writers, lines = 8, 200
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		f, err := OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		l := New(f)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < lines; i++ {
				req := fmt.Sprintf("w%d-%d %s", w, i, strings.Repeat("y", 400))
				if err := l.Log(Entry{Profile: "p", Request: req, Result: OK}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	seen := map[string]bool{}
	for sc.Scan() {
		line := sc.Text() + "\n"
		checkLine(t, line)
		seen[parseLine(t, line)["request"]] = true
		n++
	}
	if n != writers*lines || len(seen) != n {
		t.Errorf("%d lines, %d distinct; want %d", n, len(seen), writers*lines)
	}
}

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("one\n")
	f.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("created with %v, %v; want mode 0600", fi.Mode(), err)
	}
	f, err = OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("two\n")
	f.Close()
	if data, _ := os.ReadFile(path); string(data) != "one\ntwo\n" {
		t.Errorf("file holds %q, want appended lines", data)
	}

	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("keep\n"), 0o600)
	link := filepath.Join(dir, "link.log")
	os.Symlink(secret, link)
	fifo := filepath.Join(dir, "fifo.log")
	syscall.Mkfifo(fifo, 0o600)
	open := filepath.Join(dir, "open.log")
	os.WriteFile(open, nil, 0o600)
	os.Chmod(open, 0o666)
	for _, p := range []string{link, fifo, dir, open, filepath.Join(dir, "missing", "x.log")} {
		if f, err := OpenFile(p); err == nil {
			f.Close()
			t.Errorf("OpenFile(%s) succeeded", p)
		}
	}
	if data, _ := os.ReadFile(secret); string(data) != "keep\n" {
		t.Error("the symlink's target was written")
	}
}

func TestNilLogger(t *testing.T) {
	var l *Logger
	if err := l.Log(Entry{}); err != nil {
		t.Error(err)
	}
}

func ExampleLogger_Log() {
	l := New(os.Stdout)
	l.Log(Entry{
		Time:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Profile: "alice",
		Client:  "203.0.113.7:52144",
		Verb:    "cat",
		Log:     "access\r\nforged",
		Result:  Denied,
		Reason:  "no such log, or not allowed",
	})
	// Output:
	// 2026-01-02T03:04:05.000Z profile=alice key="" client=203.0.113.7:52144 verb=cat log="access\r\nforged" bytes=0 duration=0.000s result=denied reason="no such log, or not allowed" request=""
}
