package wire

import "errors"

// Status is a weblog-server exit status (PROTOCOL.md §5).
type Status int

// Exit statuses, stable across versions.
const (
	StatusOK          Status = 0
	StatusInternal    Status = 1
	StatusUsage       Status = 2
	StatusUnavailable Status = 3
	StatusIO          Status = 4
	StatusLimit       Status = 5
)

// String returns a short lowercase name for s.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusInternal:
		return "internal error"
	case StatusUsage:
		return "usage"
	case StatusUnavailable:
		return "unavailable"
	case StatusIO:
		return "i/o error"
	case StatusLimit:
		return "limit exceeded"
	}
	return "unknown status"
}

// Error is a failure with the status it maps to. Both sides use it: the
// server to pick its exit status, the client to carry the remote status.
type Error struct {
	Status  Status
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Errorf is a shorthand for &Error{status, message}.
func Errorf(status Status, message string) *Error {
	return &Error{Status: status, Message: message}
}

// StatusOf returns the status carried by err: StatusOK for nil, the Status
// of a wrapped *Error, and StatusInternal otherwise.
func StatusOf(err error) Status {
	if err == nil {
		return StatusOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return StatusInternal
}
