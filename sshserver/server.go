package sshserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/subsystem"
)

// Server is an SSH server that serves the weblog protocol. Create it with
// New; one Server may Serve several listeners at once.
type Server struct {
	limits    Limits
	sub       *subsystem.Server
	hostKey   ssh.Signer
	auth      *authenticator
	log       *logger
	conns     *gate // all connections
	unauth    *gate // connections not yet logged in
	lastID    atomic.Uint64
	configSSH ssh.ServerConfig // copied for each connection
}

// New checks cfg and prepares a server: it loads the host key, creating
// the file if it does not exist, and reads the authorized keys and
// password files once so that a mistake in them is reported now.
func New(cfg Config) (*Server, error) {
	if cfg.Subsystem == nil {
		return nil, errors.New("sshserver: no Subsystem server")
	}
	hostKey, created, err := loadOrCreateHostKey(cfg.HostKeyFile)
	if err != nil {
		return nil, fmt.Errorf("sshserver: %w", err)
	}
	auth, err := newAuthenticator(cfg.AuthorizedKeysFile, cfg.PasswordFile, cfg.TrustedUserCAKeysFile)
	if err != nil {
		return nil, fmt.Errorf("sshserver: %w", err)
	}
	if auth.cas != nil {
		auth.cas.forced = cfg.ForcedSubsystem
	}
	limits := cfg.Limits.withDefaults()
	s := &Server{
		limits:  limits,
		sub:     cfg.Subsystem,
		hostKey: hostKey,
		auth:    auth,
		log:     &logger{w: cfg.Logger},
		conns:   &gate{max: limits.MaxConnections},
		unauth:  &gate{max: limits.MaxUnauthenticated},
	}
	s.configSSH = ssh.ServerConfig{
		Config: ssh.Config{
			KeyExchanges: kexAlgorithms(),
			Ciphers:      cipherAlgorithms(),
			MACs:         macAlgorithms(),
		},
		PublicKeyAuthAlgorithms: publicKeyAuthAlgorithms(),
		MaxAuthTries:            limits.MaxAuthTries,
		PublicKeyCallback:       auth.publicKey,
		ServerVersion:           ServerVersion,
	}
	if auth.passwords != nil {
		s.configSSH.PasswordCallback = auth.password
	}
	s.configSSH.AddHostKey(hostKey)
	if created {
		s.log.printf("created host key %s: %s", cfg.HostKeyFile, ssh.FingerprintSHA256(hostKey.PublicKey()))
	}
	return s, nil
}

// HostKey returns the server's public host key, e.g. for a known_hosts
// line.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// Serve accepts connections on l and serves them until ctx ends, then
// shuts down gracefully: it closes l, ends every running request (each
// client gets its exit status), gives the connections Limits.ShutdownGrace
// to close, cuts the rest and returns nil once all are gone. If l fails it
// shuts down the same way and returns the error. Serve closes l.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	var conns sync.WaitGroup
	defer func() {
		cancel()
		conns.Wait()
	}()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	defer l.Close()

	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("sshserver: %w", err)
			}
			// Out of file descriptors or similar: wait a little, like
			// net/http, instead of spinning or giving up.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.printf("accept: %v (retrying in %v)", err, backoff)
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
			continue
		}
		backoff = 0
		id := s.lastID.Add(1)
		if !s.conns.enter() {
			s.log.printf("#%d %s dropped: %d connections already", id, nc.RemoteAddr(), s.limits.MaxConnections)
			nc.Close()
			continue
		}
		if !s.unauth.enter() {
			s.log.printf("#%d %s dropped: %d connections already logging in", id, nc.RemoteAddr(), s.limits.MaxUnauthenticated)
			s.conns.leave()
			nc.Close()
			continue
		}
		conns.Add(1)
		go func() {
			defer conns.Done()
			defer s.conns.leave()
			s.serveConn(ctx, id, nc)
		}()
	}
}

// ListenAndServe listens on cfg.Addr and serves until ctx ends, like
// New followed by Serve. It logs the address and the host key's
// fingerprint once listening.
func ListenAndServe(ctx context.Context, cfg Config) error {
	if cfg.Addr == "" {
		return errors.New("sshserver: no address to listen on")
	}
	s, err := New(cfg)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("sshserver: %w", err)
	}
	s.log.printf("listening on %s, host key %s %s", l.Addr(), s.HostKey().Type(), ssh.FingerprintSHA256(s.HostKey()))
	err = s.Serve(ctx, l)
	if err == nil {
		s.log.printf("stopped")
	}
	return err
}
