package sshserver

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// logger writes one line per event, each with a UTC timestamp, in a
// single Write so that lines never interleave. Whatever the client
// controls (user names, commands, request and channel types, version
// strings, error texts that may quote them) must go through q.
type logger struct {
	mu sync.Mutex
	w  io.Writer // nil: discard
}

func (l *logger) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	line := time.Now().UTC().Format("2006-01-02T15:04:05.000Z ") + fmt.Sprintf(format, args...) + "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, line)
}

// maxLogText bounds each piece of client-controlled text in a log line.
const maxLogText = 256

// q quotes client-controlled text for the log: strconv.Quote escapes
// control characters, so a newline cannot start a forged line and an
// escape sequence cannot reach a terminal. Text longer than maxLogText
// bytes is cut, and its length given.
func q(s string) string {
	if len(s) > maxLogText {
		return strconv.Quote(s[:maxLogText]) + "…(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return strconv.Quote(s)
}

// qerr quotes an error's text, which may repeat what the client sent.
func qerr(err error) string {
	if err == nil {
		return `""`
	}
	return q(err.Error())
}
