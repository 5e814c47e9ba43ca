package sshdial

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/term"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// TestTTYPromptCtrlC runs this test binary as a child on a real terminal
// (a tmux pane), presses Ctrl-C at each kind of prompt and checks that the
// prompt ends at once with ErrInterrupted and leaves the terminal as it
// was. The child handles SIGINT the way weblogctl's main does
// (signal.NotifyContext), which is what used to make Ctrl-C wait for Enter.
func TestTTYPromptCtrlC(t *testing.T) {
	if kind := os.Getenv("WEBLOGCTL_PROMPT_CHILD"); kind != "" {
		promptChild(kind, os.Getenv("WEBLOGCTL_PROMPT_RESULT"), strings.Fields(os.Getenv("WEBLOGCTL_PROMPT_TMUX")))
		return
	}
	tmux := sshdtest.Require(t, "tmux", "")
	for _, tt := range []struct {
		name, kind, prompt string
		keys               [][]string // tmux send-keys arguments, in turn
		want               string
	}{
		{"password-ctrl-c", "password", "Secret for the test: ", [][]string{{"-l", "abc"}, {"C-c"}}, `answer="" interrupted=true restored=true`},
		{"confirm-ctrl-c", "confirm", "Trust it (yes/no)? ", [][]string{{"-l", "ye"}, {"C-c"}}, `answer="false" interrupted=true restored=true`},
		// The hand-written secret reader still edits like a terminal.
		{"password-typed", "password", "Secret for the test: ", [][]string{{"-l", "hunter2x"}, {"BSpace"}, {"Enter"}}, `answer="hunter2" interrupted=false restored=true`},
		{"password-ctrl-u", "password", "Secret for the test: ", [][]string{{"-l", "wrong"}, {"C-u"}, {"-l", "pässword"}, {"Enter"}}, `answer="pässword" interrupted=false restored=true`},
		{"confirm-typed", "confirm", "Trust it (yes/no)? ", [][]string{{"-l", "yes"}, {"Enter"}}, `answer="true" interrupted=false restored=true`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			sock := filepath.Join(dir, "tmux.sock")
			result := filepath.Join(dir, "result")
			tm := func(ctx context.Context, args ...string) ([]byte, error) {
				return exec.CommandContext(ctx, tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			// exec: no shell stays between the terminal and the child
			// (a shell that gets the SIGINT too would stop the script).
			child := fmt.Sprintf("exec env WEBLOGCTL_PROMPT_CHILD=%s WEBLOGCTL_PROMPT_RESULT=%s WEBLOGCTL_PROMPT_TMUX='%s -S %s' %s -test.run='^TestTTYPromptCtrlC$'",
				tt.kind, result, tmux, sock, os.Args[0])
			if out, err := tm(ctx, "-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "20", child); err != nil {
				t.Fatalf("tmux new-session: %v\n%s", err, out)
			}
			t.Cleanup(func() { tm(context.Background(), "kill-server") })
			// The child may end (and signal "done") before this test
			// waits on the channel: the server must outlive its last
			// session, or the wait finds no server at all.
			if out, err := tm(ctx, "set-option", "-s", "exit-empty", "off"); err != nil {
				t.Fatalf("tmux set-option: %v\n%s", err, out)
			}

			// Wait for the prompt: the child shows it only once its
			// SIGINT handling is in place.
			for {
				out, err := tm(ctx, "capture-pane", "-p")
				if err != nil {
					t.Fatalf("tmux capture-pane: %v\n%s", err, out)
				}
				if strings.Contains(string(out), strings.TrimSpace(tt.prompt)) {
					break
				}
				if ctx.Err() != nil {
					t.Fatalf("the prompt never appeared; the pane shows:\n%s", out)
				}
				time.Sleep(20 * time.Millisecond) // polling the pane: tmux has no event for "text shown"
			}
			for _, keys := range tt.keys {
				if out, err := tm(ctx, append([]string{"send-keys"}, keys...)...); err != nil {
					t.Fatalf("tmux send-keys: %v\n%s", err, out)
				}
			}
			// After Ctrl-C no Enter is sent: the child must end by itself.
			if out, err := tm(ctx, "wait-for", "done"); err != nil {
				pane, _ := tm(context.Background(), "capture-pane", "-p")
				t.Fatalf("the prompt did not end after Ctrl-C (%v %s); the pane shows:\n%s", err, out, pane)
			}
			got, err := os.ReadFile(result)
			if err != nil {
				t.Fatalf("no result from the child: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("child reported %s, want %s", got, tt.want)
			}
		})
	}
}

// promptChild is the child of TestTTYPromptCtrlC: it asks one question on
// the terminal, writes what happened to result and tells the parent, which
// waits on tmux's channel "done".
func promptChild(kind, result string, tmux []string) {
	report := func(s string) {
		os.WriteFile(result, []byte(s), 0o600)
		exec.Command(tmux[0], append(tmux[1:], "wait-for", "-S", "done")...).Run()
		os.Exit(0)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tty, err := os.Open("/dev/tty")
	if err != nil {
		report("open /dev/tty: " + err.Error())
	}
	before, err := term.GetState(int(tty.Fd()))
	if err != nil {
		report("get state: " + err.Error())
	}
	p, err := TTYPrompter()
	if err != nil {
		report("TTYPrompter: " + err.Error())
	}
	var answer string
	switch kind {
	case "password":
		answer, err = p.Password("Secret for the test: ")
	default:
		var ok bool
		ok, err = p.Confirm("Trust it (yes/no)? ")
		answer = fmt.Sprint(ok)
	}
	after, gerr := term.GetState(int(tty.Fd()))
	if gerr != nil {
		report("get state: " + gerr.Error())
	}
	if errors.Is(err, ErrInterrupted) {
		<-ctx.Done() // the Ctrl-C reached the program's own handler too
	} else if err != nil {
		report("prompt: " + err.Error())
	}
	report(fmt.Sprintf("answer=%q interrupted=%v restored=%v", answer, errors.Is(err, ErrInterrupted), reflect.DeepEqual(before, after)))
}
