//go:build !unix

package logfile

import (
	"errors"
	"os"
	"time"
)

// fileStat is the part of a stat result the follower needs.
type fileStat struct {
	dev, ino uint64
	nlink    uint64
	size     int64
	ctime    time.Time
	regular  bool
}

// errUnsupported is returned where device and inode numbers are needed on a
// platform that has none; identities and cursors still parse there.
var errUnsupported = errors.New("logfile: following files needs a unix system")

func fstat(*os.File) (fileStat, error) { return fileStat{}, errUnsupported }

func lstat(string) (fileStat, error) { return fileStat{}, errUnsupported }
