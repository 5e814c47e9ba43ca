package sshdial

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func TestConfirm(t *testing.T) {
	tests := []struct {
		input   string
		want    bool
		wantErr bool
		prompts int
	}{
		{"yes\n", true, false, 1},
		{"YES\n", true, false, 1},
		{"  yes  \n", true, false, 1},
		{"no\n", false, false, 1},
		{"y\nyes\n", true, false, 2}, // like ssh, the whole word
		{"maybe\nn\nok\n", false, false, 3},
		{"yes", true, false, 1}, // no newline at the end
		{"", false, true, 1},
		{"what\n", false, true, 2},
	}
	for _, tt := range tests {
		var out strings.Builder
		got, err := askYesNo(strings.NewReader(tt.input), &out, "Continue (yes/no)? ")
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("askYesNo(%q) = %v, %v; want %v, error %v", tt.input, got, err, tt.want, tt.wantErr)
		}
		if n := strings.Count(out.String(), "? ") + strings.Count(out.String(), ": "); n != tt.prompts {
			t.Errorf("askYesNo(%q) prompted %d times: %q", tt.input, n, out.String())
		}
	}
}

// TestTTYPrompterNoTerminal runs itself in a new session, which has no
// controlling terminal, and checks that TTYPrompter says so.
func TestTTYPrompterNoTerminal(t *testing.T) {
	if os.Getenv("WEBLOGCTL_TTY_TEST_CHILD") == "1" {
		p, err := TTYPrompter()
		if err == nil || p != nil {
			os.Exit(3)
		}
		if !strings.Contains(err.Error(), "no terminal") {
			os.Exit(4)
		}
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTTYPrompterNoTerminal$")
	cmd.Env = append(os.Environ(), "WEBLOGCTL_TTY_TEST_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
