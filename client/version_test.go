package client_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/wire"
)

// otherServer stands in for a weblog-server of another release, which no
// test can build: it parses each request with the real grammar, answers
// version with protocol, ls with an empty listing, and refuses everything
// else as a usage error, as a server refuses an option it does not know.
// It counts the version requests it gets.
func otherServer(t *testing.T, protocol int, versions *atomic.Int32) *client.Client {
	t.Helper()
	reqR, reqW := io.Pipe()
	respR, respW := io.Pipe()
	go func() {
		defer respW.Close()
		fw := wire.NewFrameWriter(respW)
		sc := bufio.NewScanner(reqR)
		for sc.Scan() {
			req, err := wire.ParseRequest(sc.Text())
			switch {
			case err != nil:
				return
			case req.Verb == wire.VerbVersion:
				versions.Add(1)
				err = fw.WriteJSON(wire.FrameMeta, wire.VersionInfo{Version: "v9.0.0", Protocol: protocol})
				if err == nil {
					err = fw.WriteJSON(wire.FrameEnd, wire.End{})
				}
			case req.Verb == wire.VerbLs:
				err = fw.WriteJSON(wire.FrameMeta, wire.Listing{})
				if err == nil {
					err = fw.WriteJSON(wire.FrameEnd, wire.End{})
				}
			default:
				err = fw.WriteJSON(wire.FrameError, wire.ErrorPayload{Status: wire.StatusUsage, Message: req.Verb + `: unknown option "--new"`})
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { reqW.Close(); respR.Close() })
	return client.NewPipe(respR, reqW)
}

func TestProtocolMismatchExplained(t *testing.T) {
	ctx := context.Background()
	var versions atomic.Int32
	c := otherServer(t, wire.Protocol+1, &versions)
	if _, err := c.List(ctx); err != nil {
		t.Fatalf("List: %v", err)
	}
	if n := versions.Load(); n != 0 {
		t.Fatalf("a successful request asked version %d times, want 0 (no extra round trip)", n)
	}
	_, err := c.Cat(ctx, "access", client.CatOptions{}, io.Discard)
	var me *client.MismatchError
	if !errors.As(err, &me) || me.Server.Protocol != wire.Protocol+1 || me.Server.Version != "v9.0.0" {
		t.Fatalf("Cat = %v, want a MismatchError naming the server's protocol", err)
	}
	var re *wire.Error
	if !errors.As(err, &re) || re.Status != wire.StatusUsage {
		t.Fatalf("Cat = %v, want the server's usage refusal inside", err)
	}
	for _, want := range []string{"v9.0.0", "protocol 2", "protocol 1", `unknown option "--new"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestUsageRefusalSameProtocol(t *testing.T) {
	var versions atomic.Int32
	c := otherServer(t, wire.Protocol, &versions)
	_, err := c.Cat(context.Background(), "access", client.CatOptions{}, io.Discard)
	var me *client.MismatchError
	var re *wire.Error
	if errors.As(err, &me) || !errors.As(err, &re) || re.Status != wire.StatusUsage {
		t.Fatalf("Cat = %v, want the plain usage refusal (same protocol: no mismatch)", err)
	}
	if n := versions.Load(); n != 1 {
		t.Fatalf("version asked %d times, want 1", n)
	}
}
