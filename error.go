// Package phonoglyph holds the domain of the Phonoglyph job system: the types
// every layer passes around (File, Project, Job, StemJob, AnalysisJob,
// Render, MIDIFile, Page…), their vocabularies (Kind, Status, FileKind,
// UploadStatus, StemType) and the application error codes. It imports only
// the standard library, so every other package can depend on it and none of
// them defines a domain type of its own: package store maps these types to
// rows, package api to JSON.
package phonoglyph

import (
	"errors"
	"fmt"
)

// Application error codes. They are mapped to HTTP statuses in exactly one
// place (the api package) and are part of the public JSON error shape.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	EQUOTA        = "quota_exceeded" // a per-user quota (storage, files, live jobs) is used up
	ERATELIMITED  = "rate_limited"   // too many requests: retry after the answer's Retry-After
	EINTERNAL     = "internal"
)

// Error is an application error: a code from the list above and a message
// that is safe to show to the person who caused it.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("phonoglyph error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds an application error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error anywhere in err's chain,
// EINTERNAL for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of an application error, or a
// generic message for internal errors so their details are never shown.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
