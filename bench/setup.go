package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/weblogctl/weblogctl/internal/sshdtest"
)

// setup builds, generates the logs and starts the servers.
func (b *bench) setup(ctx context.Context) error {
	bin := filepath.Join(b.dir, "bin")
	b.ctl, b.srv = filepath.Join(bin, "weblogctl"), filepath.Join(bin, "weblog-server")
	if err := b.build(ctx); err != nil {
		return err
	}

	logf("generating logs (seed %d)", b.o.seed)
	b.big, b.mid, b.live = filepath.Join(b.dir, "big.log"), filepath.Join(b.dir, "mid.log"), filepath.Join(b.dir, "live.log")
	var err error
	if b.bigStats, err = writeLog(b.big, int64(b.o.bigMB)*1e6, b.o.seed); err != nil {
		return err
	}
	if b.midStats, err = writeLog(b.mid, int64(b.o.midMB)*1e6, b.o.seed+1); err != nil {
		return err
	}
	if _, err = writeLog(b.live, 64<<10, b.o.seed+2); err != nil {
		return err
	}
	if b.gzipRatio, err = gzipRatio(b.mid, 16<<20, gzip.DefaultCompression); err != nil {
		return err
	}
	for i, p := range b.o.profiles {
		pl := profileLog{p: p, path: filepath.Join(b.dir, "p-"+p.Name()+".log")}
		f, err := os.Create(pl.path)
		if err != nil {
			return err
		}
		pl.st, err = genShaped(f, int64(b.o.profileMB)*1e6, b.o.seed+10+uint64(i), p)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("generate %s: %w", pl.path, err)
		}
		if pl.gzip1, err = gzipRatio(pl.path, 16<<20, gzip.BestSpeed); err != nil {
			return err
		}
		b.plogs = append(b.plogs, pl)
	}

	u, err := user.Current()
	if err != nil {
		return err
	}
	forcedKey, plainKey := filepath.Join(b.dir, "key_forced"), filepath.Join(b.dir, "key_plain")
	forcedPub, err := sshdtest.WriteKey(forcedKey)
	if err != nil {
		return err
	}
	plainPub, err := sshdtest.WriteKey(plainKey)
	if err != nil {
		return err
	}
	logs := []string{"access=" + b.big, "mid=" + b.mid, "live=" + b.live}
	for _, pl := range b.plogs {
		logs = append(logs, pl.p.Name()+"="+pl.path)
	}
	serverArgs := b.srv + " --log " + strings.Join(logs, " --log ")
	forced := fmt.Sprintf(`restrict,command="%s" %s`, serverArgs, authorizedKey(forcedPub))
	plain := authorizedKey(plainPub)
	// The forced-command deployment as the README's one-line install has
	// it: no Subsystem line, so weblogctl's subsystem request is refused
	// and it falls back to exec.
	if b.sshd, err = startSSHD(ctx, b.dir, u.Username, forced+"\n"+plain+"\n", ""); err != nil {
		return err
	}
	wan := link{Delay: b.o.rtt / 2, Rate: b.o.mbit * 1e6 / 8}
	lan := link{Delay: b.o.lanRTT / 2, Rate: b.o.lanMbit * 1e6 / 8}
	longFat := link{Delay: wan.Delay, Rate: 10 * wan.Rate}
	to := func(s *sshd) string { return fmt.Sprintf("127.0.0.1:%d", s.Port) }
	if b.proxy, err = startProxy(to(b.sshd), wan); err != nil {
		return err
	}
	if b.longFat, err = startProxy(to(b.sshd), longFat); err != nil {
		return err
	}
	if b.lan, err = startProxy(to(b.sshd), lan); err != nil {
		return err
	}
	known := knownHostsLine(b.sshd.Port, b.sshd.HostKey) + knownHostsLine(b.proxy.Addr().Port, b.sshd.HostKey) +
		knownHostsLine(b.longFat.Addr().Port, b.sshd.HostKey) + knownHostsLine(b.lan.Addr().Port, b.sshd.HostKey)
	hosts := []hostAlias{
		{"wl", b.sshd.Port, forcedKey}, {"wl-slow", b.proxy.Addr().Port, forcedKey}, {"wl-long", b.longFat.Addr().Port, forcedKey},
		{"wl-lan", b.lan.Addr().Port, forcedKey},
		{"plain", b.sshd.Port, plainKey}, {"plain-slow", b.proxy.Addr().Port, plainKey}, {"plain-long", b.longFat.Addr().Port, plainKey},
		{"plain-lan", b.lan.Addr().Port, plainKey},
	}
	if b.deploys(deploySubsystem) {
		// The Subsystem deployment: a second sshd whose sshd_config
		// defines the weblog subsystem, and a key without a forced
		// command.
		subKey := filepath.Join(b.dir, "key_sub")
		subPub, err := sshdtest.WriteKey(subKey)
		if err != nil {
			return err
		}
		subDir := filepath.Join(b.dir, "sub")
		if err := os.MkdirAll(subDir, 0o700); err != nil {
			return err
		}
		if b.subSSHD, err = startSSHD(ctx, subDir, u.Username, "restrict "+authorizedKey(subPub)+"\n", "Subsystem weblog "+serverArgs); err != nil {
			return err
		}
		if b.subSlow, err = startProxy(to(b.subSSHD), wan); err != nil {
			return err
		}
		if b.subLAN, err = startProxy(to(b.subSSHD), lan); err != nil {
			return err
		}
		known += knownHostsLine(b.subSSHD.Port, b.subSSHD.HostKey) + knownHostsLine(b.subSlow.Addr().Port, b.subSSHD.HostKey) +
			knownHostsLine(b.subLAN.Addr().Port, b.subSSHD.HostKey)
		hosts = append(hosts, hostAlias{"ws", b.subSSHD.Port, subKey}, hostAlias{"ws-slow", b.subSlow.Addr().Port, subKey},
			hostAlias{"ws-lan", b.subLAN.Addr().Port, subKey})
	}
	if b.probe(ctx, b.srv, "listen", "--authorized-keys") {
		b.emb, b.embErr = startEmbedded(ctx, b.dir, b.srv, "restrict "+authorizedKey(forcedPub)+"\n", []string{"access=" + b.big})
		if b.emb != nil {
			known += knownHostsLine(b.emb.Port, b.emb.HostKey)
			hosts = append(hosts, hostAlias{"emb", b.emb.Port, forcedKey})
		}
	} else {
		b.embErr = errors.New("weblog-server has no listen command yet")
	}
	b.hasFilt = b.probe(ctx, b.ctl, "filter", "--status")
	knownHosts := filepath.Join(b.dir, "known_hosts")
	if err := os.WriteFile(knownHosts, []byte(known), 0o600); err != nil {
		return err
	}
	b.cfg = filepath.Join(b.dir, "ssh_config")
	if err := writeSSHConfig(b.cfg, u.Username, knownHosts, hosts); err != nil {
		return err
	}
	return b.checkAccess(ctx)
}

// hold keeps the setup up for d (or until interrupted) for a person to
// try commands by hand.
func (b *bench) hold(ctx context.Context, d time.Duration) error {
	logf("up for %s (Ctrl-C ends it); in %s:", d, b.dir)
	logf("  %s -F %s fetch -o /tmp/x wl-slow mid      # weblogctl through the emulated link", b.ctl, b.cfg)
	logf("  scp -F %s plain-slow:%s /tmp/x              # scp through it", b.cfg, b.mid)
	logf("  ssh -F %s plain cat %s | wc -c              # plain key, loopback", b.cfg, b.big)
	logf("  hosts: wl, wl-slow (forced command: logs access, mid, live); plain, plain-slow (plain key)%s", map[bool]string{true: "; emb (embedded server)"}[b.emb != nil])
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	return nil
}

// build builds both binaries, retrying for a while: other engineers
// edit the tree while this runs, and a package may briefly not compile.
func (b *bench) build(ctx context.Context) error {
	const attempts, wait = 5, 30 * time.Second
	for i := 1; ; i++ {
		logf("building weblogctl and weblog-server")
		cmd := command(ctx, "go", "build", "-o", filepath.Dir(b.ctl)+"/", "./cmd/weblogctl", "./cmd/weblog-server")
		cmd.Dir = b.root
		out, err := cmd.CombinedOutput()
		if err == nil {
			return nil
		}
		if i == attempts || ctx.Err() != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
		logf("build failed, retrying in %s: %s", wait, firstLines(string(out), 3))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// probe reports whether `bin sub --help` succeeds and mentions flag: the
// features that are still being written are measured once they land.
func (b *bench) probe(ctx context.Context, bin, sub, flag string) bool {
	out, err := command(ctx, bin, sub, "--help").CombinedOutput()
	return err == nil && bytes.Contains(out, []byte(flag))
}

// checkAccess makes sure every path works before timing anything, and
// notes the ciphers the OpenSSH client negotiates (weblogctl uses
// x/crypto's default order, AES-GCM first, which sshd accepts).
func (b *bench) checkAccess(ctx context.Context) error {
	checks := [][]string{
		{b.ctl, "-F", b.cfg, "ls", "wl"},
		{b.ctl, "-F", b.cfg, "ls", "wl-slow"},
		{"ssh", "-F", b.cfg, "plain", "true"},
		{"ssh", "-F", b.cfg, "plain-slow", "true"},
		{"ssh", "-F", b.cfg, "plain-lan", "true"},
	}
	if b.subSSHD != nil {
		checks = append(checks, []string{b.ctl, "-F", b.cfg, "ls", "ws"}, []string{b.ctl, "-F", b.cfg, "ls", "ws-slow"})
	}
	for _, c := range checks {
		if out, err := command(ctx, c[0], c[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s (sshd log: %s)", strings.Join(c, " "), err, firstLines(string(out), 3), filepath.Join(b.dir, "sshd.log"))
		}
	}
	b.ciphers = append(b.ciphers, "OpenSSH ssh/scp → OpenSSH sshd: "+b.sshCipher(ctx, "plain", "true"))
	if b.emb != nil {
		b.ciphers = append(b.ciphers, "OpenSSH ssh → embedded server (x/crypto): "+b.sshCipher(ctx, "emb", "version"))
	}
	return nil
}

// sshCipher is the server→client cipher that `ssh -v host command`
// negotiates.
func (b *bench) sshCipher(ctx context.Context, host, remote string) string {
	out, _ := command(ctx, "ssh", "-v", "-F", b.cfg, host, remote).CombinedOutput()
	if m := kexCipher.FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return "unknown"
}

// authorizedKey is k as in authorized_keys: "TYPE BASE64".
func authorizedKey(k ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

// gzipRatio compresses up to n bytes of the file at path at gzip's
// level (ssh -C and scp -C use the default) and returns in/out.
func gzipRatio(path string, n int64, level int) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var cw countWriter
	zw, err := gzip.NewWriterLevel(&cw, level)
	if err != nil {
		return 0, err
	}
	in, err := io.Copy(zw, io.LimitReader(f, n))
	if err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return float64(in) / float64(cw), nil
}

// countWriter counts and discards what is written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// moduleRoot finds the directory of this module's go.mod, from the
// working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/weblogctl/weblogctl\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the weblogctl repository (no go.mod for github.com/weblogctl/weblogctl found)")
		}
		dir = parent
	}
}
