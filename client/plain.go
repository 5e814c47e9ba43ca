package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/weblogctl/weblogctl/wire"
)

// Plain mode reads a log through an ordinary sshd and shell account, with
// nothing installed on the host: `cat` and `tail -F` run by the remote
// shell, as the seed's client did. There is no policy, no file identity and
// no exact resume; filtering happens on the client.

// PlainCommand returns the remote command line for plain mode: `cat` of
// path, or with follow `tail -F` starting with the last lines lines. The
// path is single-quoted for the remote shell, so nothing in it is
// interpreted; paths with control characters are refused.
func PlainCommand(path string, follow bool, lines int) (string, error) {
	if path == "" {
		return "", errors.New("plain mode: empty --path")
	}
	if strings.IndexFunc(path, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }) >= 0 {
		return "", fmt.Errorf("plain mode: --path %q holds a control character", path)
	}
	q := "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
	if follow {
		return "tail -F -n " + strconv.Itoa(max(lines, 0)) + " -- " + q, nil
	}
	return "cat -- " + q, nil
}

// PlainCat copies the file at path on the host to w, through `cat`.
func PlainCat(ctx context.Context, conn Conn, path string, w io.Writer) error {
	cmd, err := PlainCommand(path, false, 0)
	if err != nil {
		return err
	}
	return runPlain(ctx, conn, cmd, func(r io.Reader) error {
		_, err := io.CopyBuffer(writerOnly{w}, r, make([]byte, 256<<10))
		return err
	})
}

// PlainFetchFile copies the file at path on the host to the local file out,
// written beside it and renamed into place only when complete.
func PlainFetchFile(ctx context.Context, conn Conn, path, out string) error {
	return writeAtomic(ctx, out, func(w io.Writer) error { return PlainCat(ctx, conn, path, w) })
}

// maxPlainLine bounds the memory one line can take in plain mode; a longer
// line is delivered in pieces of this size.
const maxPlainLine = 1 << 20

// PlainLines reads the file at path on the host line by line, calling
// emit with each whole line (the file's last line may lack its newline):
// the whole file through `cat`, or with follow its last lines lines and
// then new ones through `tail -F`, until ctx ends or the command fails.
func PlainLines(ctx context.Context, conn Conn, path string, follow bool, lines int, emit func([]byte) error) error {
	cmd, err := PlainCommand(path, follow, lines)
	if err != nil {
		return err
	}
	return runPlain(ctx, conn, cmd, func(r io.Reader) error {
		br := bufio.NewReaderSize(r, 64<<10)
		var long []byte // a line longer than the buffer, being gathered
		for {
			line, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				long = append(long, line...)
				if len(long) >= maxPlainLine { // bounded: deliver a piece
					if eerr := emit(long); eerr != nil {
						return eerr
					}
					long = long[:0:0]
				}
				continue
			}
			if long != nil {
				line = append(long, line...)
				long = nil
			}
			if len(line) > 0 {
				if eerr := emit(line); eerr != nil {
					return eerr
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
}

// runPlain runs cmd in a new session and hands its stdout to read; it
// reports the remote failure with its stderr.
func runPlain(ctx context.Context, conn Conn, cmd string, read func(io.Reader) error) error {
	sess, err := conn.NewSession()
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	defer sess.Close()
	stdout, err := sess.StdoutPipe()
	if err != nil {
		return err
	}
	stderr := &limitedBuffer{max: 64 << 10}
	sess.Stderr = stderr
	if err := sess.Start(cmd); err != nil {
		return fmt.Errorf("start %q: %w", cmd, err)
	}
	stop := context.AfterFunc(ctx, func() { sess.Close() })
	defer stop()
	head := &headRecorder{r: stdout}
	rerr := read(head)
	if rerr != nil {
		sess.Close() // stop the remote command (tail -F never ends by itself)
	}
	werr := sess.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := loginShellError(werr, stderr, head); err != nil {
		return err
	}
	if rerr != nil {
		return rerr
	}
	if werr != nil {
		if msg := wire.Sanitize(stderr.message()); msg != "" {
			return fmt.Errorf("%s: %s", cmd, msg)
		}
		return fmt.Errorf("%s: %w", cmd, werr)
	}
	return nil
}

// writerOnly hides any ReadFrom of the writer, so CopyBuffer uses our
// large buffer.
type writerOnly struct{ io.Writer }
