package audit

import (
	"fmt"
	"log/syslog"
	"sync"
)

// SyslogWriter sends each Write to the local syslog daemon as one message
// (facility authpriv, severity info). Use it with New.
type SyslogWriter struct {
	tag           string
	network, addr string // syslog.Dial's; "" for the local daemon
	mu            sync.Mutex
	w             *syslog.Writer // nil until connected
}

// Syslog returns a SyslogWriter tagged tag (e.g. "weblog-server"). When
// no syslog daemon answers, it still returns a usable writer, with an
// error the caller can print: each later Write tries to connect again,
// and fails (dropping its line) while there is still no daemon. Keep an
// audit file as well if no line may be lost.
func Syslog(tag string) (*SyslogWriter, error) {
	s := &SyslogWriter{tag: tag}
	if err := s.connect(); err != nil {
		return s, err
	}
	return s, nil
}

// connect dials the syslog daemon; s.mu must be held or s unshared.
func (s *SyslogWriter) connect() error {
	w, err := syslog.Dial(s.network, s.addr, syslog.LOG_AUTHPRIV|syslog.LOG_INFO, s.tag)
	if err != nil {
		return fmt.Errorf("syslog: %w", err)
	}
	s.w = w
	return nil
}

// Write sends p as one syslog message.
func (s *SyslogWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		if err := s.connect(); err != nil {
			return 0, err
		}
	}
	return s.w.Write(p)
}

// Close closes the connection to the daemon.
func (s *SyslogWriter) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return nil
	}
	err := s.w.Close()
	s.w = nil
	return err
}
