package accesslog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func builtins() []Format {
	return []Format{Common(), Combined(), VHostCombined(), NginxMain(), JSON()}
}

// fixtureLines returns every line of testdata/*.log, to seed fuzz targets.
func fixtureLines(f *testing.F) [][]byte {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.log"))
	var lines [][]byte
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.SplitAfter(string(data), "\n") {
			if l != "" {
				lines = append(lines, []byte(l))
			}
		}
	}
	return lines
}

// checkRecord checks the invariants of a Parse result.
func checkRecord(t *testing.T, line []byte, rec *Record, err error) {
	t.Helper()
	if err != nil {
		if !isZero(rec) {
			t.Fatalf("Parse(%q) = error %v and non-zero Record %+v", line, err, viewOf(rec))
		}
		return
	}
	checkSubslices(t, line, rec)
	if rec.Status < 0 || rec.Status > 999 || rec.Bytes < -1 || rec.Duration < -1 {
		t.Fatalf("Parse(%q): out-of-range numbers %+v", line, viewOf(rec))
	}
	if !rec.Partial && rec.lost != 0 {
		t.Fatalf("Parse(%q): lost fields %b but not partial", line, rec.lost)
	}
	if rec.lost&lostStatus != 0 && rec.Status != 0 || rec.lost&lostAddr != 0 && rec.RemoteAddr != nil ||
		rec.lost&lostTime != 0 && !rec.Time.IsZero() || rec.lost&lostMethod != 0 && rec.Method != nil ||
		rec.lost&lostPath != 0 && rec.Path != nil || rec.lost&lostReferrer != 0 && rec.Referrer != nil ||
		rec.lost&lostUA != 0 && rec.UserAgent != nil {
		t.Fatalf("Parse(%q): a lost field is set: %+v lost %b", line, viewOf(rec), rec.lost)
	}
	var buf []byte
	for _, fld := range [][]byte{rec.Request, rec.Path, rec.Referrer, rec.UserAgent, rec.User} {
		buf = rec.Escaping.AppendDecoded(buf[:0], fld)
	}
}

func FuzzParse(f *testing.F) {
	for _, l := range fixtureLines(f) {
		for i := range builtins() {
			f.Add(uint8(i), l)
		}
	}
	f.Add(uint8(4), []byte(`{"status":200,"request":{"headers":{"User-Agent":"x"}},"ts":"1e9"}`))
	f.Add(uint8(1), []byte(pre+`"GET / HTTP/1.0" 200 1 "a\\" "b \" c"`))
	f.Fuzz(func(t *testing.T, which uint8, line []byte) {
		fs := builtins()
		p := NewParser(fs[int(which)%len(fs)])
		var rec Record
		err := p.Parse(line, &rec)
		checkRecord(t, line, &rec, err)
		// Parse again: the time cache must give the same answer.
		var rec2 Record
		err2 := p.Parse(line, &rec2)
		if (err == nil) != (err2 == nil) || viewOf(&rec) != viewOf(&rec2) {
			t.Fatalf("Parse(%q) twice differs: %v / %v", line, err, err2)
		}
	})
}

func FuzzParseFormat(f *testing.F) {
	for _, s := range []string{
		"combined", `%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"`,
		`"%v:%p %h %l %u %t \"%r\" %>s %O"`, `%a %{%d/%b/%Y:%H:%M:%S %z}t %m %U%q %H %>s %B %D %{ms}T`,
		`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
		`'$remote_addr - $remote_user [$time_local] "$request" ' '$status $body_bytes_sent'`,
		`escape=json '{"time":"$time_iso8601","status":$status,"ua":"$http_user_agent"}'`,
		`{"t":"%t","s":%>s}`, `${remote_addr}x $status`, `%% %h $`, ` %h `,
	} {
		f.Add(s, []byte(combinedLine))
	}
	f.Fuzz(func(t *testing.T, s string, line []byte) {
		fm, err := ParseFormat(s)
		if err != nil {
			if !fm.IsZero() {
				t.Fatalf("ParseFormat(%q) = error and a non-zero Format", s)
			}
			return
		}
		again, err := ParseFormat(fm.String())
		if err != nil || !again.equal(fm) || again.String() != fm.String() || again.Name() != fm.Name() {
			t.Fatalf("ParseFormat(%q).String() = %q, which parses as %q (%v)", s, fm.String(), again.String(), err)
		}
		var rec Record
		err = NewParser(fm).Parse(line, &rec)
		checkRecord(t, line, &rec, err)
	})
}

func FuzzParseFilterArgs(f *testing.F) {
	for _, s := range []string{
		"--status=404", "--status=4xx\x00--not-status=404", "--path=^/a\x00--has-referrer",
		"--ip=10.0.0.0/8,::1\x00--since=2h\x00--until=2015-05-17T11:00:00Z", "--grep=(a|b)+\x00--not-grep=x",
		"--method=GET\x00--method=post", "--until-path=/kill-weblog-monitor", "--ua",
	} {
		f.Add(s)
	}
	lines := [][]byte{[]byte(combinedLine), []byte("garbage\n")}
	f.Fuzz(func(t *testing.T, s string) {
		var args []string
		if s != "" {
			args = strings.Split(s, "\x00")
		}
		spec, err := ParseFilterArgs(args)
		if err != nil {
			if spec != (FilterSpec{}) {
				t.Fatalf("ParseFilterArgs(%q) = error and non-zero spec", args)
			}
			return
		}
		again, err := ParseFilterArgs(spec.Args())
		if err != nil || again != spec {
			t.Fatalf("ParseFilterArgs(%q) = %+v; its Args() %q parse as %+v, %v", args, spec, spec.Args(), again, err)
		}
		flt, err := Compile(spec, now)
		if err != nil {
			return
		}
		p := NewParser(Combined())
		for _, l := range lines {
			var rec Record
			err := p.Parse(l, &rec)
			flt.Match(l, &rec, err)
			flt.Stops(&rec, err)
		}
	})
}
