package sshdial

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

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

// ErrInterrupted is returned (wrapped) by TTYPrompter's prompts, and so by
// Dial, when the user pressed Ctrl-C at the prompt: the caller should stop,
// as ssh does (weblogctl exits with status 130).
var ErrInterrupted = errors.New("interrupted")

// TTYPrompter returns a Prompter that talks to the controlling terminal,
// /dev/tty, like ssh: prompts work while stdin and stdout carry data. It
// returns an error when the process has no controlling terminal.
//
// The terminal is opened for each prompt and closed after it. Ctrl-C at a
// prompt ends it at once with ErrInterrupted, the terminal restored, rather
// than after the next Enter: while a prompt waits, it receives SIGINT
// itself (other receivers registered with signal.Notify still get it). A
// password prompt reads in raw mode, where Ctrl-C is a byte, not a signal;
// it then raises SIGINT itself once the terminal is restored, like ssh, so
// a program that handles SIGINT sees it and one that does not exits.
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
	var isTerm bool
	if err := withFd(f, func(fd int) { isTerm = term.IsTerminal(fd) }); err != nil || !isTerm {
		f.Close()
		return nil, errors.New("no terminal to prompt on: /dev/tty is not a terminal")
	}
	return f, nil
}

// withFd calls fn with f's descriptor. Unlike f.Fd, it leaves f in
// non-blocking mode, so that a read deadline can end a pending read.
func withFd(f *os.File, fn func(fd int)) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Control(func(fd uintptr) { fn(int(fd)) })
}

// makeRaw puts the terminal f in raw mode and returns the function that
// restores its state.
func makeRaw(f *os.File) (restore func(), err error) {
	var old *term.State
	if cerr := withFd(f, func(fd int) { old, err = term.MakeRaw(fd) }); cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	return func() { withFd(f, func(fd int) { term.Restore(fd, old) }) }, nil
}

type ttyPrompter struct{}

// Password reads a line with the terminal in raw mode, so that nothing is
// echoed and Ctrl-C arrives as a byte. x/term's ReadPassword cannot be
// used: it blocks in read(2), where neither Ctrl-C (SIGINT) nor anything
// else can end it before Enter.
func (ttyPrompter) Password(prompt string) (string, error) {
	f, err := openTTY()
	if err != nil {
		return "", err
	}
	defer f.Close()
	var line []byte
	err = interruptible(f, func() error {
		// The prompt goes out in cooked mode, where "\n" starts a line.
		if _, err := io.WriteString(f, prompt); err != nil {
			return fmt.Errorf("prompt: %w", err)
		}
		restore, err := makeRaw(f)
		if err != nil {
			return fmt.Errorf("prompt: %w", err)
		}
		defer restore()
		line, err = readSecret(f)
		return err
	})
	io.WriteString(f, "\n")
	if err != nil {
		if errors.Is(err, ErrInterrupted) {
			raiseInterrupt()
		}
		return "", err
	}
	return string(line), nil
}

// Confirm reads the answer with the terminal as it is (cooked: the kernel
// echoes and edits the line); Ctrl-C raises SIGINT, which interruptible
// turns into the end of the read.
func (ttyPrompter) Confirm(prompt string) (bool, error) {
	f, err := openTTY()
	if err != nil {
		return false, err
	}
	defer f.Close()
	var ok bool
	err = interruptible(f, func() error {
		var err error
		ok, err = askYesNo(f, f, prompt)
		return err
	})
	if errors.Is(err, ErrInterrupted) {
		io.WriteString(f, "\n")
	}
	return ok, err
}

// interruptible runs read, which reads from the terminal f, and ends it at
// once with ErrInterrupted when SIGINT arrives meanwhile, by making f's
// pending read time out. The handler is in place before read starts, so a
// prompt on the screen can always be interrupted.
func interruptible(f *os.File, read func() error) error {
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		return fmt.Errorf("prompt: the terminal cannot be interrupted: %w", err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	done := make(chan struct{})
	var interrupted atomic.Bool
	go func() {
		select {
		case <-sig:
			interrupted.Store(true)
			f.SetReadDeadline(time.Now())
		case <-done:
		}
	}()
	err := read()
	close(done)
	if interrupted.Load() {
		return ErrInterrupted
	}
	return err
}

// raiseInterrupt sends SIGINT to this process, now that the terminal is
// restored: in raw mode Ctrl-C reached Password as a byte, not as the
// signal the program may be waiting for (to stop its other work; without a
// handler, to exit). ssh's readpassphrase does the same.
func raiseInterrupt() {
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Signal(os.Interrupt)
	}
}

// maxSecret bounds a passphrase or password typed at a prompt.
const maxSecret = 4096

// readSecret reads a line from a terminal in raw mode: Enter ends it,
// Backspace and Ctrl-U edit it, Ctrl-C is ErrInterrupted and Ctrl-D on an
// empty line is io.EOF, as the terminal would do in cooked mode.
func readSecret(r io.Reader) ([]byte, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 0 {
			if err == nil {
				continue
			}
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return line, nil
			}
			return nil, fmt.Errorf("read from terminal: %w", err)
		}
		switch c := b[0]; c {
		case '\r', '\n':
			return line, nil
		case 3: // Ctrl-C
			return nil, ErrInterrupted
		case 4: // Ctrl-D
			if len(line) == 0 {
				return nil, fmt.Errorf("read from terminal: %w", io.EOF)
			}
		case 21: // Ctrl-U
			line = line[:0]
		case 8, 127: // Backspace
			if len(line) > 0 {
				_, size := utf8.DecodeLastRune(line)
				line = line[:len(line)-size]
			}
		default:
			if len(line) >= maxSecret {
				return nil, fmt.Errorf("read from terminal: longer than %d bytes", maxSecret)
			}
			line = append(line, c)
		}
	}
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
