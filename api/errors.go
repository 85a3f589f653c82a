package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"phonoglyph"
)

// StatusClientClosedRequest is the status logged and counted for a request
// whose client disconnected before the answer (nginx's 499); it is never
// received by anyone.
const StatusClientClosedRequest = 499

// statusOf is the one mapping from application error codes to HTTP statuses.
var statusOf = map[string]int{
	phonoglyph.EINVALID:      http.StatusBadRequest,
	phonoglyph.ENOTFOUND:     http.StatusNotFound,
	phonoglyph.ECONFLICT:     http.StatusConflict,
	phonoglyph.EUNAUTHORIZED: http.StatusUnauthorized,
	phonoglyph.EFORBIDDEN:    http.StatusForbidden,
	phonoglyph.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	phonoglyph.EQUOTA:        http.StatusForbidden,
	phonoglyph.ERATELIMITED:  http.StatusTooManyRequests,
	phonoglyph.EINTERNAL:     http.StatusInternalServerError,
}

// codeOf maps statuses raised by Echo itself (unknown route, body limit…)
// back onto application codes.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnsupportedMediaType:
		return phonoglyph.EINVALID
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return phonoglyph.ENOTFOUND
	case http.StatusUnauthorized:
		return phonoglyph.EUNAUTHORIZED
	case http.StatusForbidden:
		return phonoglyph.EFORBIDDEN
	case http.StatusRequestEntityTooLarge:
		return phonoglyph.ETOOLARGE
	case http.StatusConflict:
		return phonoglyph.ECONFLICT
	case http.StatusTooManyRequests:
		return phonoglyph.ERATELIMITED
	}
	return phonoglyph.EINTERNAL
}

// handleError writes every error as {"error":{"code","message"}}; internal
// details are logged with the request id and never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if c.Request().Context().Err() != nil && errors.Is(err, context.Canceled) {
		// The client went away before its answer: no one reads this status,
		// but logs and metrics count it as the client's (nginx's 499), not
		// as an internal error that would page someone.
		s.log.InfoContext(c.Request().Context(), "client closed the request",
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Path())
		_ = c.NoContent(StatusClientClosedRequest)
		return
	}
	status, code, msg := http.StatusInternalServerError, phonoglyph.EINTERNAL, "Internal error."
	var he *echo.HTTPError
	var ae *phonoglyph.Error
	switch {
	case errors.As(err, &ae):
		if known, ok := statusOf[ae.Code]; ok {
			code, msg, status = ae.Code, ae.Message, known
		} // an unknown code is a bug: answered as an internal error, and logged
	case errors.As(err, &he):
		status, code = he.Code, codeOf(he.Code)
		if m, ok := he.Message.(string); ok && status < 500 {
			msg = m
		} else if status < 500 {
			msg = http.StatusText(status)
		}
	}
	if status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "error", err,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "path", c.Path())
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
	}
	if err != nil {
		s.log.Error("write error response", "error", err)
	}
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
