package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// scriptCommands are the testscript commands our scripts add:
//
//	sshd MODE        start OpenSSH sshd; MODE is forced, subsystem, both or
//	                 plain; weblog-server serves access=$WORK/access.log and
//	                 error=$WORK/error.log; sets $SSHCFG (alias web1), $PORT
//	genlog FILE N [FIRST]  write N access-log lines numbered from FIRST
//	                 (default 1; line i is logged at 10:00 + i seconds),
//	                 line 7 with invalid UTF-8, the last without a newline
func scriptCommands(server string) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"sshd": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 1 {
				ts.Fatalf("usage: sshd forced|subsystem|both|plain")
			}
			work := ts.Getenv("WORK")
			cmdline := server + " --log access=" + filepath.Join(work, "access.log") + " --log error=" + filepath.Join(work, "error.log")
			var opt sshdtest.Options
			switch args[0] {
			case "forced":
				opt.KeyOptions = "restrict,command=" + strconv.Quote(cmdline)
			case "subsystem":
				opt.Subsystem = cmdline
			case "both":
				opt.KeyOptions = "restrict,command=" + strconv.Quote(cmdline)
				opt.Subsystem = cmdline
			case "plain":
			default:
				ts.Fatalf("usage: sshd forced|subsystem|both|plain")
			}
			sshd, err := lookTool("sshd")
			if err != nil {
				ts.Fatalf("sshd: %v", err)
			}
			dir := filepath.Join(work, ".sshd")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				ts.Fatalf("%v", err)
			}
			s, err := sshdtest.New(sshd, dir, opt)
			ts.Check(err)
			ts.Defer(func() {
				s.Close()
			})
			cfg, err := s.SSHConfig("web1")
			ts.Check(err)
			ts.Setenv("SSHCFG", cfg)
			ts.Setenv("PORT", s.Port)
			ts.Setenv("SSHD_LOG", filepath.Join(dir, "sshd.log"))
			ts.Defer(func() { os.WriteFile(filepath.Join(dir, "sshd.log"), []byte(s.Log()), 0o600) })
		},
		"genlog": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) < 2 || len(args) > 3 {
				ts.Fatalf("usage: genlog FILE N [FIRST]")
			}
			n, err := strconv.Atoi(args[1])
			ts.Check(err)
			first := 1
			if len(args) == 3 {
				first, err = strconv.Atoi(args[2])
				ts.Check(err)
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), genLogFrom(first, n), 0o644))
		},
	}
}

// genLog returns n combined-format lines; line 7 holds invalid UTF-8 and
// the last line has no newline.
func genLog(n int) []byte { return genLogFrom(1, n) }

// genLogFrom is genLog with lines numbered from first.
func genLogFrom(first, n int) []byte {
	var b bytes.Buffer
	for i := first; i < first+n; i++ {
		ua := "Mozilla/5.0 (X11; Linux x86_64)"
		if i == 7 {
			ua = "bad\xff\xfe\x80utf8"
		}
		fmt.Fprintf(&b, `192.0.2.%d - - [17/May/2015:10:%02d:%02d +0000] "GET /page/%d?q=%d HTTP/1.1" %d %d "https://example.com/ref/%d" "%s"`,
			i%250+1, i/60%60, i%60, i, i, []int{200, 404, 301, 500}[i%4], i*13, i, ua)
		if i < first+n-1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// lookTool finds ssh or sshd for the scripts' conditions and commands
// alike: in PATH, and sshd also where Debian installs it.
func lookTool(name string) (string, error) {
	fallback := ""
	if name == "sshd" {
		fallback = "/usr/sbin/sshd"
	}
	return sshdtest.Lookup(name, fallback)
}
