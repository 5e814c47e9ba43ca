package sshserver

import (
	"net/netip"
	"strconv"

	"github.com/weblogctl/weblogctl/audit"
	"github.com/weblogctl/weblogctl/subsystem"
)

// identity returns who is on the other end of the connection, for the
// sessions it opens: the fingerprint of the key it logged in with (none
// for a password login), the certificate's key ID, serial and end of
// validity when it used one, and its address, as the audit log records
// them.
func (c *conn) identity() subsystem.Identity {
	var id subsystem.Identity
	ext := c.sconn.Permissions.Extensions
	if ext[extMethod] == "publickey" {
		id.Key = ext[extIdentity]
	}
	if certID, ok := ext[extCertID]; ok {
		serial, _ := strconv.ParseUint(ext[extCertSerial], 10, 64)
		id.Cert = &audit.Cert{ID: certID, Serial: serial}
		id.Until, _ = certValidBefore(ext)
	}
	if ap, err := netip.ParseAddrPort(c.sconn.RemoteAddr().String()); err == nil {
		id.Client = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
	} else {
		id.Client = c.sconn.RemoteAddr().String()
	}
	return id
}
