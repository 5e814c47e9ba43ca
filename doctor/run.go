package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// Config says how to reach and judge hosts.
type Config struct {
	// Dial connects, as every weblogctl command does. Its Prompter is
	// used for passphrases and passwords only: doctor never trusts an
	// unknown host key, it reports it.
	Dial sshdial.Config
	// Version is weblogctl's version, compared with weblog-server's.
	Version string
}

// Thresholds of the checks.
const (
	// MaxShellStartup is the login shell's start-up cost above which the
	// shell check warns: sshd runs weblog-server through the account's
	// shell for every request (README: keep ~/.bashrc light).
	MaxShellStartup = 100 * time.Millisecond
	// MaxClockSkew is the clock difference above which the clock check
	// warns: the server reads --since and --until by its own clock, and
	// --merge time orders hosts' lines by theirs.
	MaxClockSkew = 2 * time.Second
	// MinFormatShare is the share of sampled lines the detected format
	// must parse whole for the detection to count as sure.
	MinFormatShare = 0.9
)

// protocol is the weblog protocol version weblogctl speaks (PROTOCOL.md §7).
const protocol = wire.Protocol

// Run diagnoses host and returns every check's result; it does not fail
// itself. Cancelling ctx ends it early, with the checks not yet run
// reported as failed.
func Run(ctx context.Context, host string, cfg Config) Report {
	r := Report{Host: host}
	dc := cfg.Dial
	if dc.Prompter != nil {
		dc.Prompter = noHostKeyPrompts{dc.Prompter}
	}
	began := time.Now()
	conn, err := sshdial.Dial(ctx, host, dc)
	if err != nil {
		dialFailed(&r, err)
		return r
	}
	defer conn.Close()
	r.add(CheckReach, OK, fmt.Sprintf("%s answers SSH (connected and logged in in %s)", conn.Addr, roundMs(time.Since(began))), "")
	r.add(CheckHostKey, OK, "the host key matches known_hosts", "")
	auth := conn.Auth
	if auth == "" {
		auth = "none needed"
	}
	r.add(CheckAuth, OK, fmt.Sprintf("logged in as %s with %s", conn.User, auth), "")
	checkServer(ctx, &r, conn, cfg)
	return r
}

// dialFailed reports why Dial failed: the first check that could not
// pass fails, the later ones are skipped.
func dialFailed(r *Report, err error) {
	hint := sshdial.Hint(err)
	var hk *sshdial.HostKeyError
	var dns *net.DNSError
	later := []string{CheckServer, CheckVersion, CheckLogs, CheckClock, CheckShell}
	why := "not connected"
	switch {
	case errors.Is(err, sshdial.ErrInterrupted) || errors.Is(err, context.Canceled):
		r.add(CheckReach, Fail, err.Error(), "")
		r.skip("interrupted", append([]string{CheckHostKey, CheckAuth}, later...)...)
	case errors.As(err, &dns):
		r.add(CheckReach, Fail, "DNS: "+err.Error(), hint)
		r.skip(why, append([]string{CheckHostKey, CheckAuth}, later...)...)
	case errors.As(err, &hk):
		r.add(CheckReach, OK, "the host answers SSH", "")
		// Doctor's prompter says no to "trust this key?" without asking.
		detail := strings.Replace(err.Error(), "and you did not accept it", "and doctor never adds host keys", 1)
		if hk.Err == sshdial.ErrHostKeyUnknown {
			hint = "doctor never adds host keys: check the fingerprint with the host's administrator, then " + hint
		}
		r.add(CheckHostKey, Fail, detail, hint)
		r.skip(why, append([]string{CheckAuth}, later...)...)
	case errors.Is(err, sshdial.ErrAuth):
		r.add(CheckReach, OK, "the host answers SSH", "")
		r.add(CheckHostKey, OK, "the host key matches known_hosts", "")
		r.add(CheckAuth, Fail, err.Error(), "the host's owner must authorize your public key: `weblogctl authorize --key YOUR_KEY.pub --log NAME=PATH` prints the authorized_keys line; or "+hint)
		r.skip(why, later...)
	default:
		r.add(CheckReach, Fail, err.Error(), hint)
		r.skip(why, append([]string{CheckHostKey, CheckAuth}, later...)...)
	}
}

// noHostKeyPrompts passes passphrase and password prompts through and
// answers no to "trust this host key?".
type noHostKeyPrompts struct{ sshdial.Prompter }

func (noHostKeyPrompts) Confirm(string) (bool, error) { return false, nil }

// roundMs rounds d for display.
func roundMs(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// newClient is the weblog client the checks use: uncompressed, since
// every answer is small.
func newClient(conn *sshdial.Conn) *client.Client {
	return client.New(conn, client.WithCompression(client.CompressNone))
}
