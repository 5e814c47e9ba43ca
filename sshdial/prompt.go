package sshdial

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Prompter asks the user for secrets and decisions while Dial connects:
// passphrases for identity files, passwords, keyboard-interactive answers,
// and whether to trust an unknown host key. A nil Prompter means
// non-interactive use: nothing is asked and whatever would need an answer
// is refused or skipped.
type Prompter interface {
	// Password shows prompt and reads one line without echoing it.
	Password(prompt string) (string, error)
	// Confirm shows prompt and reads a yes or no answer.
	Confirm(prompt string) (bool, error)
}

// TTYPrompter returns a Prompter that talks to the controlling terminal,
// /dev/tty, like ssh: prompts work while stdin and stdout carry data. It
// returns an error when the process has no controlling terminal.
//
// The terminal is opened for each prompt and closed after it. A password
// prompt reads until Enter (Ctrl-C raises SIGINT as usual; the echo is
// restored when the prompt returns).
func TTYPrompter() (Prompter, error) {
	f, err := openTTY()
	if err != nil {
		return nil, err
	}
	f.Close()
	return ttyPrompter{}, nil
}

func openTTY() (*os.File, error) {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("no terminal to prompt on: %w", err)
	}
	if !term.IsTerminal(int(f.Fd())) {
		f.Close()
		return nil, errors.New("no terminal to prompt on: /dev/tty is not a terminal")
	}
	return f, nil
}

type ttyPrompter struct{}

func (ttyPrompter) Password(prompt string) (string, error) {
	f, err := openTTY()
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.WriteString(f, prompt); err != nil {
		return "", fmt.Errorf("prompt: %w", err)
	}
	b, err := term.ReadPassword(int(f.Fd()))
	io.WriteString(f, "\n")
	if err != nil {
		return "", fmt.Errorf("read from terminal: %w", err)
	}
	return string(b), nil
}

func (ttyPrompter) Confirm(prompt string) (bool, error) {
	f, err := openTTY()
	if err != nil {
		return false, err
	}
	defer f.Close()
	return askYesNo(f, f, prompt)
}

// askYesNo writes prompt to w and reads answers from r until one is "yes"
// or "no" (in any case), three times at most; like ssh it wants the whole
// word. Three unclear answers count as no.
func askYesNo(r io.Reader, w io.Writer, prompt string) (bool, error) {
	br := bufio.NewReader(r)
	for range 3 {
		if _, err := io.WriteString(w, prompt); err != nil {
			return false, fmt.Errorf("prompt: %w", err)
		}
		line, err := br.ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			if err == io.EOF {
				return false, errors.New("no answer: end of input")
			}
			return false, fmt.Errorf("read answer: %w", err)
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "yes":
			return true, nil
		case "no":
			return false, nil
		}
		prompt = "Please type 'yes' or 'no': "
	}
	return false, nil
}
