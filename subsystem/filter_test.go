package subsystem

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/wire"
)

// combinedLog returns n combined lines with statuses cycling through
// 200, 404, 301, 500, a garbage TLS request, an escaped quote in a user
// agent and invalid UTF-8, without a final newline; and the 404 lines.
func combinedLog(n int) (string, string) {
	var all, want strings.Builder
	for i := range n {
		status := []int{200, 404, 301, 500}[i%4]
		req := fmt.Sprintf("GET /p/%d?x=%d HTTP/1.1", i, i)
		if i%7 == 3 {
			req = `\x16\x03\x01\x00\xa5\x01`
		}
		ua := `Mozilla/5.0 \"quoted\" agent`
		if i%11 == 5 {
			ua = "bad \xff\xfe utf8"
		}
		line := fmt.Sprintf(`10.0.%d.%d - - [17/May/2015:10:%02d:00 +0000] "%s" %d %d "https://ref.example/%d" "%s"`, i/250, i%250, i%60, req, status, i, i, ua)
		if i < n-1 {
			line += "\n"
		}
		all.WriteString(line)
		if status == 404 {
			want.WriteString(line)
		}
	}
	return all.String(), want.String()
}

func TestFilterStatus(t *testing.T) {
	content, want404 := combinedLog(2000)
	cfg, _ := testConfig(t, content)
	out, errOut, st := exec(t, cfg, "filter --status=404 access")
	if st != wire.StatusOK || errOut != "" {
		t.Fatalf("status %v, stderr %q", st, errOut)
	}
	if out != want404 {
		t.Fatalf("filter --status=404 gave %d bytes, want %d", len(out), len(want404))
	}
	// No filter: the file, byte for byte.
	out, _, st = exec(t, cfg, "filter access")
	if st != wire.StatusOK || out != content {
		t.Fatalf("filter without options: %d bytes (status %v), want the %d-byte file", len(out), st, len(content))
	}
}

func TestFilterFramedOffsets(t *testing.T) {
	content, _ := combinedLog(500)
	cfg, _ := testConfig(t, content)
	out, _, st := exec(t, cfg, "filter --framed --status=5xx access")
	if st != wire.StatusOK {
		t.Fatalf("status %v", st)
	}
	n := 0
	for _, f := range frames(t, []byte(out)) {
		if f.Type != wire.FrameData {
			continue
		}
		off, data, err := f.DataOffset()
		if err != nil || content[off:off+int64(len(data))] != string(data) {
			t.Fatalf("data frame at %d does not match the file there", off)
		}
		n += bytes.Count(data, []byte(" 500 "))
	}
	if n != 125 {
		t.Fatalf("got %d status-500 lines, want 125", n)
	}
}

func TestFilterBadOptions(t *testing.T) {
	cfg, _ := testConfig(t, "x\n")
	for _, line := range []string{"filter --path=( access", "filter --status=999x access", "filter --since=yesterday access", "filter --ip=300.1.1.1 access"} {
		out, errOut, st := exec(t, cfg, line)
		if st != wire.StatusUsage || out != "" || !strings.HasPrefix(errOut, "weblog-server: error: filter") {
			t.Errorf("Exec(%q) = %q, %q, %v; want a usage error", line, out, errOut, st)
		}
	}
}

// TestFollowUntilPath: the seed's /kill-weblog-monitor ends a follow.
func TestFollowUntilPath(t *testing.T) {
	cfg, path := testConfig(t, "")
	r, w := io.Pipe()
	done := make(chan wire.Status, 1)
	go func() {
		done <- Exec(context.Background(), cfg, "follow --framed -n 0 --until-path=/kill-weblog-monitor access", w, io.Discard)
		w.Close()
	}()
	fr := wire.NewFrameReader(r)
	if f, err := fr.Next(); err != nil || f.Type != wire.FrameOpen {
		t.Fatalf("first frame %q, %v; want O", f.Type, err)
	}
	// The O frame means the start position is fixed: append now.
	hit := `127.0.0.1 - - [17/May/2015:10:00:00 +0000] "GET /kill-weblog-monitor?now HTTP/1.1" 200 1 "-" "curl"` + "\n"
	after := `127.0.0.1 - - [17/May/2015:10:00:01 +0000] "GET /after HTTP/1.1" 200 1 "-" "curl"` + "\n"
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("junk line\n" + hit + after)
	f.Close()
	var data []byte
	for {
		f, err := fr.Next()
		if err != nil {
			t.Fatalf("follow ended without Z: %v (data %q)", err, data)
		}
		if f.Type == wire.FrameData {
			_, b, _ := f.DataOffset()
			data = append(data, b...)
		}
		if f.Type == wire.FrameEnd {
			break
		}
	}
	if want := "junk line\n" + hit; string(data) != want {
		t.Fatalf("follow sent %q, want %q", data, want)
	}
	select {
	case st := <-done:
		if st != wire.StatusOK {
			t.Fatalf("status %v", st)
		}
	case <-time.After(time.Second):
		t.Fatal("follow did not return within 1s of the --until-path request")
	}
}

// TestFilterLogFormat: a log in a format no built-in one detects is
// filtered correctly once the server is told its format.
func TestFilterLogFormat(t *testing.T) {
	content := "192.0.2.1 [17/May/2015:10:00:00 +0000] \"GET /a HTTP/1.1\" 404\n" +
		"192.0.2.2 [17/May/2015:10:00:01 +0000] \"GET /b HTTP/1.1\" 200\n"
	cfg, _ := testConfig(t, content)
	if out, _, _ := exec(t, cfg, "filter --status=404 access"); out != "" {
		t.Fatalf("without a format, %q matched --status=404", out)
	}
	cfg.LogFormats = map[string]string{"access": `$remote_addr [$time_local] "$request" $status`}
	out, _, st := exec(t, cfg, "filter --status=404 access")
	if want := strings.SplitAfter(content, "\n")[0]; out != want || st != wire.StatusOK {
		t.Fatalf("with the format: %q, %v; want %q", out, st, want)
	}
}
