package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/subsystem"
	"github.com/weblogctl/weblogctl/wire"
)

// pipeClient runs subsystem.Serve in-process, serving access=LOG, and
// returns a client speaking to it over pipes.
func pipeClient(t *testing.T, content string) (*client.Client, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := subsystem.New(&policy.Profile{Name: "t", Logs: []policy.Log{{Name: "access", Path: path}}}, subsystem.Options{Version: "t"})
	if err != nil {
		t.Fatal(err)
	}
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	done := make(chan struct{})
	go func() {
		srv.Serve(context.Background(), subsystem.Identity{}, reqR, respW, io.Discard)
		respW.Close()
		close(done)
	}()
	t.Cleanup(func() {
		reqW.Close()
		<-done
	})
	return client.NewPipe(respR, reqW), path
}

func TestPipeCatListStat(t *testing.T) {
	content := "a\n\xff\xfe\nno newline"
	c, _ := pipeClient(t, content)
	ctx := context.Background()
	logs, err := c.List(ctx)
	if err != nil || len(logs) != 1 || logs[0].Name != "access" || logs[0].Size != int64(len(content)) {
		t.Fatalf("List = %+v, %v", logs, err)
	}
	var buf bytes.Buffer
	end, err := c.Cat(ctx, "access", client.CatOptions{}, &buf)
	if err != nil || buf.String() != content || end.Bytes != int64(len(content)) {
		t.Fatalf("Cat = %q, %+v, %v", buf.String(), end, err)
	}
	buf.Reset()
	if _, err := c.Cat(ctx, "access", client.CatOptions{Offset: 2, Length: 3, HasLength: true}, &buf); err != nil || buf.String() != "\xff\xfe\n" {
		t.Fatalf("Cat range = %q, %v", buf.String(), err)
	}
	info, err := c.Stat(ctx, "access")
	if err != nil || info.Size != int64(len(content)) || info.ID == "" {
		t.Fatalf("Stat = %+v, %v", info, err)
	}
	v, err := c.ServerVersion(ctx)
	if err != nil || v.Protocol != subsystem.Protocol {
		t.Fatalf("ServerVersion = %+v, %v", v, err)
	}
	_, err = c.Cat(ctx, "nosuch", client.CatOptions{}, io.Discard)
	var re *client.RemoteError
	if !errors.As(err, &re) || re.Status != wire.StatusUnavailable {
		t.Fatalf("Cat(nosuch) = %v, want a RemoteError with status unavailable", err)
	}
}

func TestPipeFetchFile(t *testing.T) {
	content := "line 1\nline 2\n"
	c, _ := pipeClient(t, content)
	out := filepath.Join(t.TempDir(), "copy.log")
	if _, err := c.FetchFile(context.Background(), "access", out); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != content {
		t.Fatalf("fetched %q, %v", b, err)
	}
	// A failed fetch leaves nothing at the path and no temporary file.
	bad := filepath.Join(filepath.Dir(out), "bad.log")
	if _, err := c.FetchFile(context.Background(), "nosuch", bad); err == nil {
		t.Fatal("FetchFile(nosuch) succeeded")
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries after a failed fetch, want only copy.log", len(entries))
	}
}

func TestPipeFollow(t *testing.T) {
	c, path := pipeClient(t, "h1\nh2\nh3\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	two := 2
	var got bytes.Buffer
	opens := 0
	cursor, err := c.Follow(ctx, "access", client.FollowOptions{
		Lines:  &two,
		OnOpen: func(wire.Open) { opens++ },
	}, func(lines []byte) error {
		got.Write(lines)
		switch got.String() {
		case "h2\nh3\n":
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteString("n1\n")
			return err
		case "h2\nh3\nn1\n":
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || got.String() != "h2\nh3\nn1\n" {
		t.Fatalf("Follow = %q, %v", got.String(), err)
	}
	if opens != 1 {
		t.Errorf("OnOpen called %d times, want 1", opens)
	}
	if _, off, ok := cutCursor(cursor); !ok || off != "12" {
		t.Fatalf("cursor %q, want one at offset 12", cursor)
	}
}

func cutCursor(c string) (string, string, bool) {
	i := bytes.LastIndexByte([]byte(c), '@')
	if i < 0 {
		return "", "", false
	}
	return c[:i], c[i+1:], true
}

// TestPipeFetchFileResumes: a partial copy that matches the log is
// completed; one that does not is replaced.
func TestPipeFetchFileResumes(t *testing.T) {
	content := strings.Repeat("0123456789\n", 1000)
	c, _ := pipeClient(t, content)
	dir := t.TempDir()
	out := filepath.Join(dir, "copy.log")
	part := filepath.Join(dir, ".copy.log.part")
	for _, prefix := range []string{content[:4321], "not the log's first bytes"} {
		if err := os.WriteFile(part, []byte(prefix), 0o644); err != nil {
			t.Fatal(err)
		}
		end, err := c.FetchFile(context.Background(), "access", out)
		if err != nil {
			t.Fatalf("FetchFile with part %.10q…: %v", prefix, err)
		}
		if b, _ := os.ReadFile(out); string(b) != content {
			t.Fatalf("FetchFile with part %.10q…: copy differs from the log", prefix)
		}
		if _, err := os.Stat(part); !os.IsNotExist(err) {
			t.Fatalf("part file left behind: %v", err)
		}
		if prefix == content[:4321] && end.Bytes != int64(len(content)-4321) {
			t.Errorf("resumed fetch transferred %d bytes, want %d", end.Bytes, len(content)-4321)
		}
	}
}

// Both an *ssh.Client and an *sshdial.Conn are connections for New.
var (
	_ client.Conn = (*ssh.Client)(nil)
	_ client.Conn = (*sshdial.Conn)(nil)
)
