package sshdial

import (
	"context"
	"errors"
	"io"
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

func TestReadSecret(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"hunter2\r", "hunter2", nil},
		{"hunter2\n", "hunter2", nil},
		{"hunter2x\x7f\r", "hunter2", nil},
		{"pä\x7fa\r", "pa", nil}, // Backspace takes a whole UTF-8 character
		{"wrong\x15right\r", "right", nil},
		{"\r", "", nil},
		{"abc\x03def\r", "", ErrInterrupted},
		{"\x04", "", io.EOF},
		{"ab\x04c\r", "abc", nil}, // Ctrl-D on a non-empty line does nothing
		{"", "", io.EOF},
		{"no newline", "no newline", nil},
	}
	for _, tt := range tests {
		got, err := readSecret(strings.NewReader(tt.in))
		if string(got) != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("readSecret(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	if _, err := readSecret(strings.NewReader(strings.Repeat("a", maxSecret+1) + "\r")); err == nil {
		t.Errorf("an overlong secret: no error")
	}
}

func FuzzReadSecret(f *testing.F) {
	for _, s := range []string{"hunter2\r", "a\x7f\x7fb\n", "x\x15y\r", "\x03", "\x04", "pä\x7f\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := readSecret(strings.NewReader(in))
		if err != nil {
			if got != nil {
				t.Fatalf("readSecret(%q) = %q with error %v", in, got, err)
			}
			return
		}
		if len(got) > maxSecret || strings.ContainsAny(string(got), "\r\n\x03\x04\x15\x7f\b") {
			t.Fatalf("readSecret(%q) = %q", in, got)
		}
		// What comes before the first line end, without editing keys, is
		// the answer as typed.
		line, _, _ := strings.Cut(strings.ReplaceAll(in, "\n", "\r"), "\r")
		if !strings.ContainsAny(line, "\x03\x04\x15\x7f\b") && string(got) != line {
			t.Fatalf("readSecret(%q) = %q, want %q", in, got, line)
		}
	})
}
