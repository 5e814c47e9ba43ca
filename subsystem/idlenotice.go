package subsystem

import (
	"io"
	"sync"
	"time"
)

// StreamUsage is the line a stream-mode session writes on stderr when no
// request arrives for a while: a person who ran `ssh host` (no command,
// no terminal) under a forced command is in stream mode too, since sshd
// gives the server nothing to tell that from the Subsystem.
const StreamUsage = "weblog-server: no request yet: this key has no shell; type one (ls, stat LOG, cat LOG, follow [-n N] LOG, version) and Enter, or run: ssh HOST ls\n"

// NoticeIdle returns a reader of in that writes StreamUsage to errOut,
// once, when nothing has arrived on in within after. weblogctl sends its
// request at once, so it never causes the notice. stop ends the wait.
func NoticeIdle(in io.Reader, errOut io.Writer, after time.Duration) (r io.Reader, stop func()) {
	n := &idleNotice{r: in}
	n.t = time.AfterFunc(after, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if !n.seen {
			io.WriteString(errOut, StreamUsage)
		}
	})
	return n, func() { n.t.Stop() }
}

// idleNotice is NoticeIdle's reader.
type idleNotice struct {
	r  io.Reader
	t  *time.Timer
	mu sync.Mutex
	// seen says that in delivered something (or ended).
	seen bool
}

func (n *idleNotice) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if k > 0 || err != nil {
		n.mu.Lock()
		n.seen = true
		n.mu.Unlock()
		n.t.Stop()
	}
	return k, err
}
