// Package client speaks the weblog protocol (PROTOCOL.md) to weblog-server:
// list, stat, follow, filter and fetch logs. [New] runs each request in its
// own session on an SSH connection (from sshdial.Dial, or any
// *ssh.Client); [NewPipe] speaks stream mode over a reader and writer
// without SSH, e.g. to subsystem.Serve in-process, like pkg/sftp's
// NewClient and NewClientPipe. Plain mode (PlainCat, PlainLines) reads a
// file with standard commands where no weblog-server is installed.
package client
