package client

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/subsystem"
)

// TestFetchFileInRanges: a fetch in several ranges writes the same bytes
// as a plain one (over a pipe the ranges take turns, which still
// exercises the splitting, the offsets and the per-range checks).
func TestFetchFileInRanges(t *testing.T) {
	content := strings.Repeat("0123456789abcdef\n", 100003)
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := subsystem.New(&policy.Profile{Name: "t", Logs: []policy.Log{{Name: "access", Path: path}}}, subsystem.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	go func() {
		srv.Serve(context.Background(), subsystem.Identity{}, reqR, respW, io.Discard)
		respW.Close()
	}()
	defer reqW.Close()
	c := NewPipe(respR, reqW)
	for _, n := range []int{3, 7} {
		c.parallel = n
		out := filepath.Join(t.TempDir(), "copy.log")
		end, err := c.FetchFile(context.Background(), "access", out)
		if err != nil {
			t.Fatalf("%d ranges: %v", n, err)
		}
		if b, _ := os.ReadFile(out); string(b) != content || end.Bytes != int64(len(content)) {
			t.Fatalf("%d ranges: copy of %d bytes (End %d), want %d", n, len(b), end.Bytes, len(content))
		}
	}
	if got := fileOf("12:34:1024:abcd"); got != "12:34" {
		t.Errorf("fileOf = %q", got)
	}
}
