package wire

import (
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/accesslog"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		line string
		want Request
	}{
		{"version", Request{Verb: "version"}},
		{"ls\n", Request{Verb: "ls"}},
		{"  ls  --framed ", Request{Verb: "ls", Framed: true}},
		{"cat access", Request{Verb: "cat", Log: "access"}},
		{"cat --offset=10 --length 5 access", Request{Verb: "cat", Log: "access", Offset: 10, Length: 5, HasLength: true}},
		{"cat access --length=0", Request{Verb: "cat", Log: "access", HasLength: true}},
		{"follow -n 20 access", Request{Verb: "follow", Log: "access", Lines: 20, HasLines: true}},
		{"follow --lines=0 --heartbeat=2s --framed app.err_log-2", Request{Verb: "follow", Log: "app.err_log-2", Lines: 0, HasLines: true, Heartbeat: 2 * time.Second, Framed: true}},
		{"follow --cursor=1:2:3:ab@9 access", Request{Verb: "follow", Log: "access", Cursor: "1:2:3:ab@9"}},
		{"filter --status=404 access", Request{Verb: "filter", Log: "access", Filter: accesslog.FilterSpec{Status: "404"}}},
		{"filter --follow -n 0 --has-referrer --grep=a\\x20b --status=4xx --status=500 access", Request{Verb: "filter", Log: "access", Follow: true, Lines: 0, HasLines: true,
			Filter: accesslog.FilterSpec{HasReferrer: true, Grep: `a\x20b`, Status: "4xx,500"}}},
		{"follow --until-path=/kill-weblog-monitor access", Request{Verb: "follow", Log: "access", Filter: accesslog.FilterSpec{UntilPath: "/kill-weblog-monitor"}}},
		{"cat --framed --compress=zstd access", Request{Verb: "cat", Log: "access", Framed: true, Compress: CompressZstd}},
		{"filter --framed --compress=s2 --status=404 access", Request{Verb: "filter", Log: "access", Framed: true, Compress: CompressS2, Filter: accesslog.FilterSpec{Status: "404"}}},
	}
	for _, tt := range tests {
		got, err := ParseRequest(tt.line)
		if err != nil || got != tt.want {
			t.Errorf("ParseRequest(%q) = %+v, %v, want %+v", tt.line, got, err, tt.want)
		}
	}
}

func TestParseRequestRefuses(t *testing.T) {
	tests := []struct {
		line   string
		status Status
	}{
		{"", StatusUsage},
		{"   ", StatusUsage},
		{"LS", StatusUsage},
		{"sh", StatusUsage},
		{"scp -f /etc/passwd", StatusUsage},
		{"rsync --server --sender . /", StatusUsage},
		{"cat", StatusUsage},
		{"cat /etc/passwd", StatusUsage},
		{"cat ../../etc/passwd", StatusUsage},
		{"cat access; id", StatusUsage},
		{"cat access;", StatusUsage},
		{"cat $(id)", StatusUsage},
		{"cat `id`", StatusUsage},
		{"cat access | id", StatusUsage},
		{"cat access && id", StatusUsage},
		{"cat access > pwned.txt", StatusUsage},
		{"cat *", StatusUsage},
		{"cat {a,b}", StatusUsage},
		{"cat [", StatusUsage},
		{"cat %2e%2e", StatusUsage},
		{"cat access/", StatusUsage},
		{"cat .", StatusUsage},
		{"cat access\tother", StatusUsage},
		{"cat access\r", StatusUsage},
		{"cat acc\x00ess", StatusUsage},
		{"cat acc\x1b[31mess", StatusUsage},
		{"cat \xff\xfe", StatusUsage},
		{"cat access\u0085", StatusUsage},
		{"cat access\u00a0x", StatusUsage},
		{"cat access other", StatusUsage},
		{"cat -access", StatusUsage},
		{"cat -- access", StatusUsage},
		{"cat --offset access", StatusUsage},
		{"cat --offset=-1 access", StatusUsage},
		{"cat --offset=+1 access", StatusUsage},
		{"cat --offset=01 access", StatusUsage},
		{"cat --offset=1e3 access", StatusUsage},
		{"cat --offset=1 --offset=2 access", StatusUsage},
		{"cat --off=1 access", StatusUsage},
		{"cat --lines=1 access", StatusUsage},
		{"cat --framed=yes access", StatusUsage},
		{"cat --log=x=/etc/passwd access", StatusUsage},
		{"cat --policy=/tmp/p access", StatusUsage},
		{"follow -nn 3 access", StatusUsage},
		{"follow -n3 access", StatusUsage},
		{"follow --heartbeat=1ms access", StatusUsage},
		{"follow --heartbeat=60000ms access", StatusUsage},
		{"follow --cursor= access", StatusUsage},
		{"follow --cursor -x access", StatusUsage},
		{"follow --lines=1000001 access", StatusLimit},
		{"LD_PRELOAD=/tmp/x.so cat access", StatusUsage},
		{"cat --status=404 access", StatusUsage},
		{"filter --status 404 access", StatusUsage},
		{"filter --stat=404 access", StatusUsage},
		{"filter --bogus=1 access", StatusUsage},
		{"filter --has-referrer=yes access", StatusUsage},
		{"follow --follow access", StatusUsage},
		{"cat " + strings.Repeat("a", 65), StatusUsage},
		{"cat " + strings.Repeat("a", MaxRequest), StatusLimit},
	}
	for _, tt := range tests {
		got, err := ParseRequest(tt.line)
		if err == nil {
			t.Errorf("ParseRequest(%q) = %+v, want an error", tt.line, got)
			continue
		}
		if got != (Request{}) {
			t.Errorf("ParseRequest(%q) returned %+v with an error", tt.line, got)
		}
		if s := StatusOf(err); s != tt.status {
			t.Errorf("ParseRequest(%q): status %v (%v), want %v", tt.line, s, err, tt.status)
		}
		if strings.ContainsAny(err.Error(), "\n\r\x1b\x00") {
			t.Errorf("ParseRequest(%q): error %q carries control bytes", tt.line, err)
		}
	}
}

func TestRequestStringRoundTrip(t *testing.T) {
	reqs := []Request{
		{Verb: "ls", Framed: true},
		{Verb: "cat", Log: "a", Offset: 7, Length: 0, HasLength: true, Framed: true},
		{Verb: "follow", Log: "a", Lines: 0, HasLines: true, Cursor: "1:2:0:@0", Heartbeat: time.Minute},
		{Verb: "filter", Log: "a", Follow: true, Filter: accesslog.FilterSpec{Status: "404,5xx", Path: `^/x\x20y`, HasReferrer: true, Since: "2h"}},
	}
	for _, r := range reqs {
		got, err := ParseRequest(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRequest(%q) = %+v, %v, want %+v", r.String(), got, err, r)
		}
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{"filter --status=404 --follow --ip=10.0.0.0/8 a", "ls", "cat --offset=1 access", "follow -n 5 --framed x", "cat access; id", "follow --heartbeat 2s a", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		req, err := ParseRequest(line)
		if err != nil {
			if req != (Request{}) {
				t.Fatalf("error %v with non-zero request %+v", err, req)
			}
			return
		}
		if req.Log != "" && CheckLogName(req.Log) != nil {
			t.Fatalf("accepted invalid log name %q", req.Log)
		}
		again, err := ParseRequest(req.String())
		if err != nil || again != req {
			t.Fatalf("ParseRequest(%q) = %+v, %v; re-parse of %q gave %+v", line, req, err, req.String(), again)
		}
	})
}
