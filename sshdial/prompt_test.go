package sshdial

import (
	"context"
	"errors"
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

// interruptedPrompter answers every question like a Ctrl-C at a terminal.
type interruptedPrompter struct{}

func (interruptedPrompter) Password(string) (string, error) { return "", ErrInterrupted }
func (interruptedPrompter) Confirm(string) (bool, error)    { return false, ErrInterrupted }

// TestDialInterrupted checks that Ctrl-C at a host key question or a
// password prompt ends Dial with an error a caller can tell apart
// (weblogctl exits 130 on it).
func TestDialInterrupted(t *testing.T) {
	t.Run("host key", func(t *testing.T) {
		e, _ := dtHostKeySetup(t)
		cfg := e.dialConfig()
		cfg.Prompter = interruptedPrompter{}
		_, err := Dial(context.Background(), "srv", cfg)
		if !errors.Is(err, ErrInterrupted) {
			t.Errorf("Dial: %v, want ErrInterrupted", err)
		}
	})
	t.Run("password", func(t *testing.T) {
		e := dtNewEnv(t)
		s := dtStartServer(t, "srv", dtServerOptions{password: "hunter2"})
		e.writeConfig(t, dtHostBlock("srv", s))
		e.trust(t, s)
		cfg := e.dialConfig()
		cfg.Prompter = interruptedPrompter{}
		_, err := Dial(context.Background(), "srv", cfg)
		if !errors.Is(err, ErrInterrupted) {
			t.Errorf("Dial: %v, want ErrInterrupted", err)
		}
	})
}
