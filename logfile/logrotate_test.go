//go:build unix

package logfile

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// TestFollowLogrotate drives the real logrotate, with a create config
// (rename, then a new file; the writer reopens after some late writes) and a
// copytruncate config (the copy compressed at once, so the gap is read from
// the .gz), while a writer appends numbered lines at about 3,000 lines/s.
func TestFollowLogrotate(t *testing.T) {
	logrotateBin := sshdtest.Require(t, "logrotate", "/usr/sbin/logrotate")
	const total, rotations = 9000, 3
	for _, tc := range []struct {
		mode   string
		config string
	}{
		{"create", "rotate 5\n\tcreate\n\tcompress\n\tdelaycompress\n\tmissingok"},
		{"copytruncate", "rotate 5\n\tcopytruncate\n\tcompress\n\tmissingok"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "access.log")
			conf := filepath.Join(dir, "logrotate.conf")
			writeFile(t, conf, fmt.Sprintf("%q {\n\t%s\n}\n", path, tc.config))
			state := filepath.Join(dir, "state")
			rotate := func() {
				t.Helper()
				out, err := exec.Command(logrotateBin, "-s", state, "-f", conf).CombinedOutput()
				if err != nil {
					t.Fatalf("logrotate: %v\n%s", err, out)
				}
			}

			writeFile(t, path, "")
			c := newChecker(1, total)
			// The writer reopens only once logrotate has exited, which can
			// take a few hundred ms after the rename on a loaded machine:
			// the grace period must cover that.
			startFollow(t, source(path), Options{Grace: 3 * time.Second}, c.emit)
			w := newWriter(t, path, 1)
			defer w.close()
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			done := 0
			for w.next <= total {
				if done < rotations && w.next > (done+1)*total/(rotations+1) {
					rotate() // the writer waits meanwhile
					if tc.mode == "create" {
						w.lines(20) // late writes to the renamed file
						w.reopen()
					}
					done++
				}
				w.lines(min(30, total+1-w.next))
				<-tick.C
			}
			c.wait(t, 60*time.Second)
			reasons := strings.Join(c.reasons(), " ")
			t.Logf("open reasons: %s", reasons)
			want := "start" + strings.Repeat(" rename", rotations)
			if tc.mode == "copytruncate" {
				want = "start" + strings.Repeat(" copy truncate", rotations)
			}
			// Each file is opened once, whether reached live or, after a
			// grace period that outlasted later rotations, as a sibling.
			if reasons != want {
				t.Errorf("open reasons %q, want %q:%s", reasons, want, c.opensString())
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Logf("files: %s", strings.Join(names, " "))
		})
	}
}
