package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"phonoglyph"
)

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
