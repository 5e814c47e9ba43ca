package subsystem

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// testServer is a profile and options that a test may change between
// requests: each request is served by a Server made from them then.
type testServer struct {
	*policy.Profile
	Options
	t *testing.T
}

// server returns a Server for what c holds now.
func (c *testServer) server() *Server {
	c.t.Helper()
	s, err := New(c.Profile, c.Options)
	if err != nil {
		c.t.Fatal(err)
	}
	return s
}

// Exec serves line in a session of its own.
func Exec(ctx context.Context, c *testServer, line string, out, errOut io.Writer) wire.Status {
	return c.server().Exec(ctx, testIdentity, line, out, errOut)
}

// Serve serves the requests of in in a session of its own.
func Serve(ctx context.Context, c *testServer, in io.Reader, out, errOut io.Writer) wire.Status {
	return c.server().Serve(ctx, testIdentity, in, out, errOut)
}

// testIdentity is the client of test sessions.
var testIdentity = Identity{Key: "SHA256:test", Client: "192.0.2.9:2222"}

// newTestServer serves logs under the profile "test".
func newTestServer(t *testing.T, logs ...policy.Log) *testServer {
	return &testServer{Profile: &policy.Profile{Name: "test", Logs: logs}, Options: Options{Version: "test"}, t: t}
}

// testConfig serves access=DIR/access.log holding content, and
// hidden=DIR/missing.log which does not exist.
func testConfig(t *testing.T, content string) (*testServer, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return newTestServer(t, policy.Log{Name: "access", Path: path}, policy.Log{Name: "gone", Path: filepath.Join(dir, "missing.log")}), path
}

func exec(t *testing.T, cfg *testServer, line string) (string, string, wire.Status) {
	t.Helper()
	var out, errOut bytes.Buffer
	st := Exec(context.Background(), cfg, line, &out, &errOut)
	return out.String(), errOut.String(), st
}

func TestExecRaw(t *testing.T) {
	content := "a\n\xff\xfe invalid\nlast without newline"
	cfg, _ := testConfig(t, content)
	tests := []struct {
		line, out, errOut string
		status            wire.Status
	}{
		{"cat access", content, "", wire.StatusOK},
		{"cat --offset=2 --length=3 access", "\xff\xfe ", "", wire.StatusOK},
		{"cat --offset=1000 access", "", "", wire.StatusOK},
		{"version", "weblog-server test protocol 1\n", "", wire.StatusOK},
		{"cat gone", "", "weblog-server: error: log \"gone\": no such log, or not allowed\n", wire.StatusUnavailable},
		{"cat nosuch", "", "weblog-server: error: log \"nosuch\": no such log, or not allowed\n", wire.StatusUnavailable},
		{"cat /etc/passwd", "", "weblog-server: error: invalid log name \"/etc/passwd\": a name from `ls`, not a path\n", wire.StatusUsage},
		{"bash", "", "weblog-server: error: unknown verb \"bash\": this key may only run version, ls, stat LOG, cat LOG, follow LOG, filter LOG, stats LOG\n", wire.StatusUsage},
	}
	for _, tt := range tests {
		out, errOut, st := exec(t, cfg, tt.line)
		if out != tt.out || errOut != tt.errOut || st != tt.status {
			t.Errorf("Exec(%q) = %q, %q, %v; want %q, %q, %v", tt.line, out, errOut, st, tt.out, tt.errOut, tt.status)
		}
	}
}

func TestLsAndStat(t *testing.T) {
	cfg, _ := testConfig(t, "x\n")
	out, _, st := exec(t, cfg, "ls")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if st != wire.StatusOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "access\t2\t") || lines[1] != "gone\t-\t" {
		t.Errorf("ls = %q, %v", out, st)
	}
	out, _, st = exec(t, cfg, "stat access")
	if st != wire.StatusOK || !strings.HasPrefix(out, "name=access size=2 mtime=") || !strings.Contains(out, " id=") {
		t.Errorf("stat = %q, %v", out, st)
	}
}

// frames reads every frame of out.
func frames(t *testing.T, out []byte) []wire.Frame {
	t.Helper()
	fr := wire.NewFrameReader(bytes.NewReader(out))
	var fs []wire.Frame
	for {
		f, err := fr.Next()
		if err == io.EOF {
			return fs
		}
		if err != nil {
			t.Fatalf("reading frames: %v", err)
		}
		fs = append(fs, wire.Frame{Type: f.Type, Payload: bytes.Clone(f.Payload)})
	}
}

func TestCatFramed(t *testing.T) {
	content := strings.Repeat("0123456789abcdef\n", 40000) // > 2 data frames
	cfg, _ := testConfig(t, content)
	out, errOut, st := exec(t, cfg, "cat --framed --offset=17 access")
	if st != wire.StatusOK || errOut != "" {
		t.Fatalf("status %v, stderr %q", st, errOut)
	}
	fs := frames(t, []byte(out))
	var open wire.Open
	if fs[0].Type != wire.FrameOpen || fs[0].Decode(&open) != nil || open.Offset != 17 || open.Size != int64(len(content)) || open.ID == "" {
		t.Fatalf("first frame %q %s", fs[0].Type, fs[0].Payload)
	}
	var data []byte
	next := int64(17)
	for _, f := range fs[1 : len(fs)-1] {
		off, b, err := f.DataOffset()
		if err != nil || off != next {
			t.Fatalf("data frame at %d (%v), want %d", off, err, next)
		}
		data = append(data, b...)
		next += int64(len(b))
	}
	if string(data) != content[17:] {
		t.Fatalf("framed cat returned %d bytes, want %d", len(data), len(content)-17)
	}
	var end wire.End
	last := fs[len(fs)-1]
	sum := sha256.Sum256(data)
	if last.Type != wire.FrameEnd || last.Decode(&end) != nil || end.Bytes != int64(len(data)) || end.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("last frame %q %s", last.Type, last.Payload)
	}
}

func TestFramedErrors(t *testing.T) {
	cfg, _ := testConfig(t, "")
	for _, line := range []string{"cat --framed nosuch", "cat --framed gone", "cat --framed --bogus access"} {
		out, errOut, st := exec(t, cfg, line)
		fs := frames(t, []byte(out))
		var p wire.ErrorPayload
		if len(fs) != 1 || fs[0].Type != wire.FrameError || fs[0].Decode(&p) != nil || p.Status != st || st == wire.StatusOK || errOut != "" {
			t.Errorf("Exec(%q) = %q, %q, %v; want one E frame", line, out, errOut, st)
		}
	}
}

// TestServeStream: several requests in one session, answered in order.
func TestServeStream(t *testing.T) {
	cfg, _ := testConfig(t, "one\ntwo\n")
	in := strings.NewReader("version --framed\ncat --framed access\nls --framed\n")
	var out bytes.Buffer
	st := Serve(context.Background(), cfg, in, &out, io.Discard)
	if st != wire.StatusOK {
		t.Fatalf("status %v", st)
	}
	var types []byte
	for _, f := range frames(t, out.Bytes()) {
		types = append(types, f.Type)
	}
	if string(types) != "MZODZMZ" {
		t.Fatalf("frame types %q, want MZODZMZ", types)
	}
}

// TestServeRefusesOverlongRequest: a 1 MiB request line is refused with a
// limit error without being read whole.
func TestServeRefusesOverlongRequest(t *testing.T) {
	cfg, _ := testConfig(t, "x\n")
	big := strings.Repeat("a", 1<<20) + "\n"
	r := &countingReader{r: strings.NewReader(big)}
	var errOut bytes.Buffer
	st := Serve(context.Background(), cfg, r, io.Discard, &errOut)
	if st != wire.StatusLimit || !strings.Contains(errOut.String(), "longer than 4096") {
		t.Fatalf("status %v, stderr %q", st, errOut.String())
	}
	if r.n > 64<<10 {
		t.Fatalf("read %d bytes of a refused request", r.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestServeFollowEndsAtEOF: in stream mode the end of the request stream
// ends a follow, and its last frame is Z.
func TestServeFollowEndsAtEOF(t *testing.T) {
	cfg, path := testConfig(t, "old\n")
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan wire.Status, 1)
	go func() {
		done <- Serve(context.Background(), cfg, inR, outW, io.Discard)
		outW.Close()
	}()
	io.WriteString(inW, "follow --framed -n 1 access\n")
	fr := wire.NewFrameReader(outR)
	next := func(want byte) wire.Frame {
		t.Helper()
		f, err := fr.Next()
		if err != nil || f.Type != want {
			t.Fatalf("frame %q, %v; want %q", f.Type, err, want)
		}
		return f
	}
	next(wire.FrameOpen)
	if _, b, _ := next(wire.FrameData).DataOffset(); string(b) != "old\n" {
		t.Fatalf("history %q", b)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("new\n")
	f.Close()
	if _, b, _ := next(wire.FrameData).DataOffset(); string(b) != "new\n" {
		t.Fatalf("appended %q", b)
	}
	inW.Close()
	next(wire.FrameEnd)
	select {
	case st := <-done:
		if st != wire.StatusOK {
			t.Fatalf("status %v", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the end of its input")
	}
}

// TestExecFollowStopsOnCancel: in exec mode only ctx ends a follow, and
// promptly.
func TestExecFollowStopsOnCancel(t *testing.T) {
	cfg, _ := testConfig(t, "x\n")
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan wire.Status, 1)
	go func() { done <- Exec(ctx, cfg, "follow access", w, io.Discard); w.Close() }()
	b := make([]byte, 2)
	if _, err := io.ReadFull(r, b); err != nil || string(b) != "x\n" {
		t.Fatalf("history %q, %v", b, err)
	}
	go io.Copy(io.Discard, r)
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("follow did not end within 1s of cancel")
	}
}

// TestNewRefusesEmptyProfiles: there is no Server without a valid
// profile, so nothing is ever served by default.
func TestNewRefusesEmptyProfiles(t *testing.T) {
	for _, p := range []*policy.Profile{nil, {}, {Name: "x"}, {Name: "x", Logs: []policy.Log{{Name: "a", Path: "relative.log"}}}} {
		if s, err := New(p, Options{}); err == nil || s != nil {
			t.Errorf("New(%+v) = %v, %v; want an error", p, s, err)
		}
	}
}

// TestCatCompressed: --compress=zstd wraps the framed answer in one zstd
// stream that decodes to the same frames.
func TestCatCompressed(t *testing.T) {
	content := strings.Repeat(`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /x HTTP/1.1" 200 12 "-" "curl/8"`+"\n", 5000)
	cfg, _ := testConfig(t, content)
	out, _, st := exec(t, cfg, "cat --framed --compress=zstd access")
	if st != wire.StatusOK || !strings.HasPrefix(out, "\x28\xb5\x2f\xfd") {
		t.Fatalf("status %v, answer starts %q; want the zstd magic", st, out[:min(len(out), 8)])
	}
	if len(out) > len(content)/10 {
		t.Errorf("compressed answer is %d bytes for %d of log", len(out), len(content))
	}
	zr, err := zstd.NewReader(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	for _, f := range frames(t, plain) {
		if f.Type == wire.FrameData {
			_, b, _ := f.DataOffset()
			data = append(data, b...)
		}
	}
	if string(data) != content {
		t.Fatalf("decompressed data differs from the log (%d vs %d bytes)", len(data), len(content))
	}
	if _, _, st := exec(t, cfg, "cat --compress=zstd access"); st != wire.StatusUsage {
		t.Errorf("--compress without --framed: status %v, want usage", st)
	}
}

// TestCatCompressedS2: --compress=s2 wraps the framed answer in one S2
// stream that decodes to the same frames.
func TestCatCompressedS2(t *testing.T) {
	content := strings.Repeat(`192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /x HTTP/1.1" 200 12 "-" "curl/8"`+"\n", 5000)
	cfg, _ := testConfig(t, content)
	out, _, st := exec(t, cfg, "cat --framed --compress=s2 access")
	if st != wire.StatusOK || !strings.HasPrefix(out, "\xff\x06\x00\x00S2sTwO") {
		t.Fatalf("status %v, answer starts %q; want the S2 stream identifier", st, out[:min(len(out), 10)])
	}
	if len(out) > len(content)/5 {
		t.Errorf("compressed answer is %d bytes for %d of log", len(out), len(content))
	}
	plain, err := io.ReadAll(s2.NewReader(strings.NewReader(out)))
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	for _, f := range frames(t, plain) {
		if f.Type == wire.FrameData {
			_, b, _ := f.DataOffset()
			data = append(data, b...)
		}
	}
	if string(data) != content {
		t.Fatalf("decompressed data differs from the log (%d vs %d bytes)", len(data), len(content))
	}
	if _, _, st := exec(t, cfg, "cat --framed --compress=lz4 access"); st != wire.StatusUsage {
		t.Errorf("--compress=lz4: status %v, want usage", st)
	}
}
