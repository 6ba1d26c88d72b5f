package server

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"phananh/feedback"
)

// ErrorBody is the JSON shape of every error response:
// {"error":{"code","message","message_en","field"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody. Message is Vietnamese, MessageEN
// English; Field names the input at fault when there is one.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
	Field     string `json:"field,omitempty"`
}

// StatusOf returns the HTTP status for a feedback error code.
func StatusOf(code string) int {
	switch code {
	case feedback.EINVALID:
		return http.StatusBadRequest
	case feedback.ENOTFOUND:
		return http.StatusNotFound
	case feedback.ECONFLICT:
		return http.StatusConflict
	case feedback.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case feedback.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case feedback.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case feedback.EFORBIDDEN:
		return http.StatusForbidden
	case feedback.ERATELIMIT:
		return http.StatusTooManyRequests
	case feedback.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// RenderError writes err as the JSON error body with the status its code
// maps to, and aborts the handler chain. It is the one place errors become
// HTTP responses: internal errors (and unavailable dependencies) are logged
// here with their cause and shown to the caller only as a generic message.
func RenderError(c *gin.Context, log *slog.Logger, err error) {
	e := feedback.AsError(err)
	status := StatusOf(e.Code)
	if status >= 500 {
		log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
			slog.String("request_id", RequestID(c)),
			slog.String("route", routeOf(c)),
			slog.String("code", e.Code),
			slog.String("error", err.Error()))
		if e.Code == feedback.EINTERNAL {
			e = feedback.Internal(nil)
		}
	}
	if status == http.StatusTooManyRequests {
		c.Header("Retry-After", "1")
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{
		Code:      e.Code,
		Message:   e.Message,
		MessageEN: e.MessageEN,
		Field:     e.Field,
	}})
}

// bodyTooLarge reports whether err comes from reading past a body limit.
func bodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// errTooLarge is the error for a request body over its limit.
func errTooLarge() *feedback.Error {
	return feedback.Errorf(feedback.ETOOLARGE,
		"Dữ liệu gửi lên quá lớn.",
		"The request body is too large.")
}

// errNoRoute is the error for a path no route matches.
func errNoRoute() *feedback.Error {
	return feedback.Errorf(feedback.ENOTFOUND,
		"Không tìm thấy địa chỉ này.",
		"No such endpoint.")
}
