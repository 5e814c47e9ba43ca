package subsystem

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/policy"
	"github.com/weblogctl/weblogctl/wire"
)

// metaAnswer runs a framed request and decodes its M frame into v.
func metaAnswer(t *testing.T, cfg *testServer, line string, v any) {
	t.Helper()
	out, errOut, st := exec(t, cfg, line)
	if st != wire.StatusOK {
		t.Fatalf("%s: status %d, stderr %q", line, st, errOut)
	}
	fr := wire.NewFrameReader(strings.NewReader(out))
	f, err := fr.Next()
	if err != nil || f.Type != wire.FrameMeta {
		t.Fatalf("%s: first frame %q, %v; want M", line, f.Type, err)
	}
	if err := f.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestVersionClockAndUptime(t *testing.T) {
	cfg, _ := testConfig(t, "")
	before := time.Now()
	var v wire.VersionInfo
	metaAnswer(t, cfg, "version --framed", &v)
	after := time.Now()
	got, err := time.Parse(time.RFC3339Nano, v.Time)
	if err != nil || got.Before(before) || got.After(after) {
		t.Errorf("time %q (%v): want between %v and %v", v.Time, err, before, after)
	}
	if v.UptimeMicros != 0 {
		t.Errorf("uptime %d without Started, want 0 (unknown)", v.UptimeMicros)
	}
	cfg.Options.Started = time.Now().Add(-3 * time.Second)
	metaAnswer(t, cfg, "version --framed", &v)
	if up := time.Duration(v.UptimeMicros) * time.Microsecond; up < 3*time.Second || up > time.Minute {
		t.Errorf("uptime %v, want about 3s", up)
	}
}

const combinedLine = `192.0.2.1 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8"` + "\n"

func TestStatFormat(t *testing.T) {
	custom := map[string]string{"access": `$remote_addr [$time_local] "$request" $status`}
	tests := []struct {
		name    string
		content string
		formats map[string]string
		want    wire.LogInfo
	}{
		{"combined", strings.Repeat(combinedLine, 30), nil, wire.LogInfo{Format: "combined", FormatSource: "detected", FormatLines: 30, FormatParsed: 30}},
		{"empty", "", nil, wire.LogInfo{FormatSource: "detected"}},
		{"garbage", strings.Repeat("hello world\n", 5), nil, wire.LogInfo{FormatSource: "detected", FormatLines: 5}},
		{"mixed", strings.Repeat(combinedLine, 3) + strings.Repeat("hello world\n\n", 7), nil, wire.LogInfo{Format: "combined", FormatSource: "detected", FormatLines: 10, FormatParsed: 3}},
		{"configured", "192.0.2.1 [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200\n" + combinedLine, custom,
			wire.LogInfo{Format: "custom", FormatSource: "configured", FormatLines: 2, FormatParsed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := testConfig(t, tt.content)
			cfg.Profile.LogFormats = tt.formats
			var got wire.LogInfo
			metaAnswer(t, cfg, "stat --framed access", &got)
			if got.Format != tt.want.Format || got.FormatSource != tt.want.FormatSource || got.FormatLines != tt.want.FormatLines || got.FormatParsed != tt.want.FormatParsed {
				t.Errorf("stat: format %q %q %d/%d, want %q %q %d/%d", got.Format, got.FormatSource, got.FormatParsed, got.FormatLines,
					tt.want.Format, tt.want.FormatSource, tt.want.FormatParsed, tt.want.FormatLines)
			}
		})
	}
}

func TestStatRotation(t *testing.T) {
	write := func(t *testing.T, path string) {
		t.Helper()
		// File systems stamp times from a coarse clock (ext4: a jiffy);
		// this wait makes each file's birth time differ from the
		// previous one's. It orders nothing.
		time.Sleep(20 * time.Millisecond)
		if err := os.WriteFile(path, []byte(combinedLine), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		// make creates the live file and its siblings in dir.
		make func(t *testing.T, live string)
		want string
	}{
		{"none", func(t *testing.T, live string) { write(t, live) }, "none"},
		{"rename", func(t *testing.T, live string) {
			write(t, live+".1") // the old live file, then the new one
			write(t, live)
		}, "rename"},
		{"copytruncate", func(t *testing.T, live string) {
			write(t, live) // the same old live file, then the copy
			write(t, live+".1")
		}, "copytruncate"},
		{"rename compressed", func(t *testing.T, live string) {
			write(t, live)
			write(t, live+".1.gz") // compressed after the rename: born later, but its mtime is the old file's
			old := time.Now().Add(-time.Hour)
			if err := os.Chtimes(live+".1.gz", old, old); err != nil {
				t.Fatal(err)
			}
		}, "rename"},
		{"copytruncate compressed", func(t *testing.T, live string) {
			write(t, live)
			write(t, live+".1.gz")
			later := time.Now().Add(2 * renameSlack) // written long after the live file was born
			if err := os.Chtimes(live+".1.gz", later, later); err != nil {
				t.Fatal(err)
			}
		}, "copytruncate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := filepath.Join(t.TempDir(), "access.log")
			tt.make(t, live)
			f, err := os.Open(live)
			if err != nil {
				t.Fatal(err)
			}
			_, ok := birthTime(f)
			f.Close()
			if !ok {
				t.Skip("this file system records no birth times")
			}
			var got wire.LogInfo
			metaAnswer(t, newTestServer(t, policy.Log{Name: "access", Path: live}), "stat --framed access", &got)
			if got.Rotation != tt.want {
				t.Errorf("rotation %q, want %q", got.Rotation, tt.want)
			}
		})
	}
}
