package feedback

import (
	"errors"
	"fmt"
)

// Error codes. Every error that crosses a package boundary carries one of
// these, so that each adapter can render it once (HTTP status, bot reply...).
const (
	EINVALID      = "invalid"      // bad input; Field names the culprit
	ENOTFOUND     = "not_found"    // no such thing, or not visible to the caller
	ECONFLICT     = "conflict"     // compare-and-set lost, or a duplicate
	ETOOLARGE     = "too_large"    // body, photo or count over a limit
	EUNSUPPORTED  = "unsupported"  // content type or media not accepted
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // credentials valid but not allowed
	ERATELIMIT    = "rate_limited" // too many attempts
	EUNAVAILABLE  = "unavailable"  // a dependency is down
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is a domain error with a code, a safe message in Vietnamese and in
// English, and optionally the input field at fault. Err keeps the cause for
// logs; it is never shown to users.
type Error struct {
	Code      string
	Message   string
	MessageEN string
	Field     string
	Err       error
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.MessageEN
	if msg == "" {
		msg = e.Message
	}
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, msg, e.Err)
	}
	return e.Code + ": " + msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with code, Vietnamese message vi and English message en.
func Errorf(code, vi, en string) *Error {
	return &Error{Code: code, Message: vi, MessageEN: en}
}

// FieldError returns an EINVALID error naming the field at fault.
func FieldError(field, vi, en string) *Error {
	return &Error{Code: EINVALID, Field: field, Message: vi, MessageEN: en}
}

// Internal wraps an unexpected failure; its cause is for logs only.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: "Lỗi hệ thống, vui lòng thử lại sau.", MessageEN: "Internal error, please try again later.", Err: err}
}

// NotFound returns an ENOTFOUND error about a kind of thing ("report", ...).
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Message: "Không tìm thấy " + viNoun(what) + ".", MessageEN: what + " not found."}
}

// Conflict returns an ECONFLICT error.
func Conflict(vi, en string) *Error { return Errorf(ECONFLICT, vi, en) }

func viNoun(what string) string {
	switch what {
	case "report":
		return "phản ánh"
	case "petition":
		return "kiến nghị"
	case "user":
		return "người dùng"
	case "photo":
		return "ảnh"
	case "signature":
		return "chữ ký"
	}
	return "dữ liệu"
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// AsError returns the *Error in err's chain, or wraps err as internal.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}
