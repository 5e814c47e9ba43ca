package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/weblogctl/weblogctl/client"
	"github.com/weblogctl/weblogctl/sshdial"
	"github.com/weblogctl/weblogctl/wire"
)

// versionSample is one timed version request.
type versionSample struct {
	info      wire.VersionInfo
	sent, got time.Time
}

func (s versionSample) took() time.Duration { return s.got.Sub(s.sent) }

// samples is how many version requests the clock and shell checks time;
// the fastest is the least disturbed.
const samples = 5

// checkServer runs the checks that need weblog-server: server, version,
// logs, clock and shell.
func checkServer(ctx context.Context, r *Report, conn *sshdial.Conn, cfg Config) {
	wc := newClient(conn)
	var best versionSample
	for i := range samples {
		s := versionSample{sent: time.Now()}
		info, err := wc.ServerVersion(ctx)
		s.got, s.info = time.Now(), info
		if err != nil {
			if i == 0 {
				serverFailed(r, wc, conn, err)
				return
			}
			break
		}
		if i == 0 || s.took() < best.took() {
			best = s
		}
	}
	switch wc.Delivery() {
	case client.DeliveryExec:
		r.add(CheckServer, OK, "weblog-server answers as the forced command of this key (sshd defines no weblog subsystem)", "")
	default:
		r.add(CheckServer, OK, "weblog-server answers as the weblog subsystem", "")
	}
	checkVersion(r, best.info, cfg.Version)
	checkLogs(ctx, r, wc, conn.User)
	checkClock(r, best)
	checkShell(r, best, roundTrip(conn), wc.Delivery(), conn.User)
}

// serverFailed explains a first request that weblog-server did not answer.
func serverFailed(r *Report, wc *client.Client, conn *sshdial.Conn, err error) {
	msg := err.Error()
	where := "the command= of this key in ~/.ssh/authorized_keys"
	if wc.Delivery() == client.DeliverySubsystem {
		where = "the `Subsystem weblog` line of sshd_config"
	}
	var re *wire.Error
	switch {
	case errors.Is(err, client.ErrLoginShell):
		r.add(CheckServer, Fail, msg, fmt.Sprintf("give the account a real shell: chsh -s /bin/sh %s", conn.User))
	case errors.As(err, &re):
		r.add(CheckServer, Fail, "weblog-server refused `version`: "+msg, "upgrade weblog-server on the host to this release")
	case shellRanVerb(msg):
		r.add(CheckServer, Fail, "this key gets a shell, not weblog-server: neither the weblog subsystem nor a forced command is set up ("+msg+")",
			"install weblog-server and give this key a forced command: `weblogctl authorize --key YOUR_KEY.pub --log NAME=PATH` prints the authorized_keys line")
	case strings.Contains(msg, ": not found") || strings.Contains(msg, "No such file"):
		r.add(CheckServer, Fail, "the program sshd runs for weblog is missing ("+msg+")",
			fmt.Sprintf("install weblog-server at the path %s names (e.g. /usr/local/bin/weblog-server), or correct that path", where))
	case strings.Contains(msg, "Permission denied"):
		r.add(CheckServer, Fail, "the program sshd runs for weblog cannot be executed ("+msg+")",
			fmt.Sprintf("make the file %s names executable by the account (chmod 755)", where))
	case errors.Is(err, client.ErrProtocol):
		r.add(CheckServer, Fail, msg, fmt.Sprintf("check %s: it must run weblog-server", where))
	default:
		r.add(CheckServer, Fail, msg, fmt.Sprintf("check %s: it must run weblog-server (ssh -v HOST version shows what answers instead)", where))
	}
	r.skip("weblog-server did not answer", CheckVersion, CheckLogs, CheckClock, CheckShell)
}

// shellRanVerb reports whether the shell's complaint is about our request
// itself (`sh: 1: version: not found`): no forced command took the exec.
func shellRanVerb(msg string) bool {
	return strings.Contains(msg, " version: not found") || strings.Contains(msg, " version: command not found")
}

// checkVersion compares the server's version and protocol with ours.
func checkVersion(r *Report, v wire.VersionInfo, ours string) {
	theirs := wire.Sanitize(v.Version)
	detail := fmt.Sprintf("weblog-server %s, weblogctl %s, protocol %d", theirs, ours, v.Protocol)
	switch {
	case v.Protocol != protocol:
		r.add(CheckVersion, Fail, fmt.Sprintf("weblog-server %s speaks protocol %d, weblogctl %s speaks %d", theirs, v.Protocol, ours, protocol),
			"install the same weblogctl release on the host (weblog-server) and here")
	case theirs != ours && !isDev(theirs) && !isDev(ours):
		r.add(CheckVersion, Warn, detail+": versions differ", "they work together (same protocol); install the same release on both sides for the newest checks")
	default:
		r.add(CheckVersion, OK, detail, "")
	}
}

// isDev reports whether a version is an unreleased build's.
func isDev(v string) bool { return v == "" || v == "dev" || v == "devel" || v == "(devel)" }

// checkClock compares the server's clock with ours.
func checkClock(r *Report, s versionSample) {
	if s.info.Time == "" {
		r.add(CheckClock, Unknown, "this weblog-server does not tell its time", "upgrade weblog-server to check the clock")
		return
	}
	t, err := time.Parse(time.RFC3339Nano, s.info.Time)
	if err != nil {
		r.add(CheckClock, Unknown, fmt.Sprintf("weblog-server sent an unreadable time %q", wire.Sanitize(s.info.Time)), "")
		return
	}
	// The server read its clock between sending and receiving.
	mid := s.sent.Add(s.took() / 2)
	skew := t.Sub(mid)
	margin := s.took() / 2
	detail := fmt.Sprintf("host clock %s ours by %s (± %s)", aheadBehind(skew), roundMs(skew.Abs()), roundMs(margin))
	if skew.Abs()-margin > MaxClockSkew {
		r.add(CheckClock, Warn, detail, fmt.Sprintf("sync the clocks (NTP: systemd-timesyncd or chrony): weblog-server reads --since/--until by its clock and --merge time orders lines by each host's timestamps; skew over %s shows", MaxClockSkew))
		return
	}
	r.add(CheckClock, OK, detail, "")
}

func aheadBehind(d time.Duration) string {
	if d < 0 {
		return "behind"
	}
	return "ahead of"
}

// checkShell estimates the login shell's start-up cost: the time a
// version request took, less the link's round trips and the time the
// server process had run when it answered. What remains is sshd starting
// the session: mostly the account's shell ($SHELL -c), which sshd runs
// for forced commands and Subsystem commands alike.
func checkShell(r *Report, s versionSample, rtt time.Duration, d client.Delivery, user string) {
	if s.info.UptimeMicros == 0 {
		r.add(CheckShell, Unknown, "this weblog-server does not tell how long it has run", "upgrade weblog-server to measure the login shell")
		return
	}
	uptime := time.Duration(s.info.UptimeMicros) * time.Microsecond
	// Round trips: channel open, exec or subsystem request, and for the
	// subsystem the request line; the answer's half trip.
	trips := 2.5
	if d == client.DeliverySubsystem {
		trips = 3
	}
	cost := s.took() - uptime - time.Duration(trips*float64(rtt))
	if uptime > s.took() {
		r.add(CheckShell, OK, "no login shell: the server was running already (weblog-server listen)", "")
		return
	}
	cost = max(cost, 0)
	detail := fmt.Sprintf("the session and login shell start in ≈ %s before weblog-server runs", roundMs(cost))
	if cost > MaxShellStartup {
		r.add(CheckShell, Warn, detail+fmt.Sprintf(", over %s: every request pays it", MaxShellStartup),
			"sshd runs weblog-server through the account's login shell, and bash reads ~/.bashrc for SSH commands: make ~/.bashrc return at once when not interactive (first line: case $- in *i*) ;; *) return;; esac), or give the account /bin/sh (chsh -s /bin/sh "+user+")")
		return
	}
	r.add(CheckShell, OK, detail, "")
}

// roundTrip measures the SSH round trip on conn: the fastest of three
// keepalive requests, 0 when they fail.
func roundTrip(conn *sshdial.Conn) time.Duration {
	var best time.Duration
	for i := range 3 {
		start := time.Now()
		if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err != nil {
			return best
		}
		if d := time.Since(start); i == 0 || d < best {
			best = d
		}
	}
	return best
}
