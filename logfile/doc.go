// Package logfile follows a log file the way tail -F does, but never loses or
// duplicates a line: through rename+create rotation, copytruncate, deletion
// and recreation, and across reconnects by resuming from a Cursor.
//
// It knows nothing of SSH or of the security policy: every open, of the live
// path and of its rotated siblings, goes through Source.Open, which applies
// the policy (no symlinks, regular files only, …).
//
// # Identity and cursor
//
// A file is identified by its device and inode plus a SHA-256 fingerprint of
// its first bytes (Identity). A Cursor is an identity and the byte offset
// just after the last byte delivered, normally the end of a complete line.
// Both have a compact text form for the wire (String, ParseIdentity,
// ParseCursor).
//
// # How Follow reads
//
// Follow watches the directory of the live path with inotify (fsnotify) and
// reads the open file handle when it is written to; it never polls for data
// and never reopens a path to read. Every Options.Reconcile it also compares
// the open file with what the path names (fstat against lstat) and reads
// anything inotify did not report, so a lost event cannot leave it on an old
// file. After each read it checks that the file still starts with the bytes
// it fingerprinted, so a truncation is noticed even when the file has grown
// past the old position again.
//
// # Events, in order
//
// emit receives a stream of events. Each EventOpen says which file the
// following EventData events come from and where reading starts; within one
// file, Data events are contiguous (each starts where the previous ended).
// After any event, Event.Cursor is the position to resume from.
//
//   - First one EventOpen: ReasonStart (the live file at the position
//     Options.Lines chose) or, with Options.Resume, ReasonResume (the
//     cursor's file at the cursor's offset).
//   - Data events: whole lines only. A line is held until its newline is
//     written; a line longer than Options.MaxLine comes in Partial pieces.
//   - Rename+create (or delete+create): the old handle is read for late
//     writers until Options.Grace after the rotation was noticed and a new
//     file is at the path, then to its end; its unterminated last line, if any, comes as a Partial
//     Data event; then EventOpen ReasonRename (ReasonRecreate when the old
//     file was deleted) for the new file from 0. If more rotations went by
//     meanwhile, the siblings newer than the old file come first, each with
//     its own EventOpen ReasonRename from 0. While nothing is at the path,
//     the old handle keeps being read.
//   - copytruncate: EventOpen ReasonCopy for the copy (found among the
//     siblings by fingerprint, plain or .gz) at the old position, the rest
//     of the copy as Data, then EventOpen ReasonTruncate for the truncated
//     file from 0. If no copy is found, the held partial line (if any) comes
//     as a Partial Data event, then EventOpen ReasonTruncate with Lost set.
//   - Resume from a rotated file: its rest, then each newer sibling from 0
//     (EventOpen ReasonRename), then the live file from 0, then new data.
//
// Lines written by a program after logrotate's copytruncate copied the file
// and before it truncated it are lost by logrotate itself; rename+create
// (with the server reopening its log, as nginx does on SIGUSR1) loses
// nothing.
//
// # Compressed siblings
//
// A sibling whose name ends in ".gz" is read through compress/gzip: its
// identity is the fingerprint of its decompressed first bytes (Dev and Ino
// zero), and offsets in it are offsets in the decompressed content. It is
// used to find a copy, to resume, and to catch up, never followed. Other
// compressions are not read.
//
// # Limits
//
// Writes to a file more than Options.Grace after it was seen renamed away
// are not delivered. A file created and deleted again before the follower
// switched to it (all within one grace period) is never seen. A sibling that
// Source.Open refuses is skipped. Memory is bounded (see Options.MaxLine).
// While siblings are searched (at a rotation or truncation, or to resume)
// they are all open at once.
package logfile
