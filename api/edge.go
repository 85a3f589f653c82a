package api

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
)

// requestIDPattern is what a client's X-Request-Id must look like to be
// kept: short, and safe to echo in a header and write in a log line.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID keeps a client's well-formed X-Request-Id and replaces any other
// (too long, control characters…) or a missing one with a fresh id, on the
// request (for the log line) and the answer.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		id := req.Header.Get(echo.HeaderXRequestID)
		if !requestIDPattern.MatchString(id) {
			id = uuid.NewString()
		}
		req.Header.Set(echo.HeaderXRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// Timeouts bound how long one request may take to send its body and to
// receive its answer. The server's own ReadHeaderTimeout (cmd/api) covers
// the headers; these are set per request, so blob transfers under /blobs
// get far longer than API calls.
type Timeouts struct {
	Read      time.Duration // API request bodies
	Write     time.Duration // API answers
	BlobRead  time.Duration // a PUT to a signed local blob URL
	BlobWrite time.Duration // a GET of a signed local blob URL
}

// deadlines sets the connection's read and write deadlines for this
// request (http.ResponseController); a writer that cannot take them (a test
// recorder) serves without.
func (s *Server) deadlines(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		t := s.opt.Timeouts
		read, write := t.Read, t.Write
		if strings.HasPrefix(c.Request().URL.Path, "/blobs/") {
			read, write = t.BlobRead, t.BlobWrite
		}
		rc := http.NewResponseController(c.Response())
		now := time.Now()
		if read > 0 {
			_ = rc.SetReadDeadline(now.Add(read))
		}
		if write > 0 {
			_ = rc.SetWriteDeadline(now.Add(write))
		}
		return next(c)
	}
}
