package storage

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"phonoglyph"
)

// Handler serves GET/HEAD and PUT for signed URLs (mounted by the API at the
// baseURL path; the caller strips that prefix with http.StripPrefix, so the
// request path is "/" + key). Errors answer S3's statuses in the API's JSON
// error shape (s3Error.write).
func (l *Local) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodPut:
		default:
			w.Header().Set("Allow", "GET, HEAD, PUT")
			(&s3Error{http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource."}).write(w)
			return
		}
		f, e := l.verify(r)
		if e == nil {
			if err := checkLocalKey(f.key); err != nil {
				e = &s3Error{http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI."}
			}
		}
		if e == nil && r.Method == http.MethodPut {
			e = l.servePut(w, r, f)
		} else if e == nil {
			e = l.serveGet(w, r, f)
		}
		if e != nil {
			e.write(w)
		}
	})
}

// servePut stores the request body under the signed key, refusing another
// content type or a body larger than signed; nothing is stored on failure.
func (l *Local) servePut(w http.ResponseWriter, r *http.Request, f signedFields) *s3Error {
	if r.Header.Get("Content-Type") != f.contentType {
		return errSignature("The Content-Type header does not match the signed content type.")
	}
	maxSize, err := strconv.ParseInt(f.maxSize, 10, 64)
	if maxSize == -1 { // signed with an open length
		maxSize = math.MaxInt64
	}
	if err != nil || maxSize < 0 {
		return errSignature("The signed maximum size is not a number.")
	}
	if r.ContentLength > maxSize {
		return errTooLarge
	}
	if e := l.checkWritable(r, f.key); e != nil {
		return e
	}
	etag, err := l.put(r.Context(), f.key, http.MaxBytesReader(w, r.Body, maxSize), r.ContentLength, f.contentType)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errTooLarge
	case errors.Is(err, io.ErrUnexpectedEOF) || phonoglyph.ErrorCode(err) == phonoglyph.EINVALID:
		// The key and content type were checked when signing, so the body
		// was shorter than its Content-Length.
		return &s3Error{http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	case err != nil:
		slog.ErrorContext(r.Context(), "storage: signed PUT", "key", f.key, "error", err)
		return errInternal
	}
	w.Header().Set("ETag", strconv.Quote(etag))
	w.WriteHeader(http.StatusOK)
	return nil
}

// serveGet streams the signed key with http.ServeContent (so ranges and
// conditional requests work), as an attachment with the signed file name.
func (l *Local) serveGet(w http.ResponseWriter, r *http.Request, f signedFields) *s3Error {
	file, info, m, err := l.open(r.Context(), f.key)
	if errors.Is(err, ErrNotFound) {
		return &s3Error{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}
	} else if err != nil {
		slog.ErrorContext(r.Context(), "storage: signed GET", "key", f.key, "error", err)
		return errInternal
	}
	defer file.Close()
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Content-Disposition", contentDisposition(f.filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if m.ETag != "" {
		h.Set("ETag", strconv.Quote(m.ETag))
	}
	http.ServeContent(w, r, "", info.ModTime, file)
	return nil
}

// s3Error is an error answer in the shape S3 uses.
type s3Error struct {
	status  int
	code    string
	message string
}

var (
	errTooLarge = &s3Error{http.StatusRequestEntityTooLarge, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size."}
	errInternal = &s3Error{http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again."}
)

// errAccessDenied refuses a URL that is incomplete, expired or used with
// the wrong method.
func errAccessDenied(msg string) *s3Error {
	return &s3Error{http.StatusForbidden, "AccessDenied", msg}
}

// errSignature refuses a request that does not match its signature.
func errSignature(msg string) *s3Error {
	return &s3Error{http.StatusForbidden, "SignatureDoesNotMatch", msg}
}

// appCode is the application error code (the API's JSON error shape) of
// an S3-style error code.
var appCode = map[string]string{
	"AccessDenied": phonoglyph.EFORBIDDEN, "SignatureDoesNotMatch": phonoglyph.EFORBIDDEN,
	"EntityTooLarge": phonoglyph.ETOOLARGE, "NoSuchKey": phonoglyph.ENOTFOUND, "MethodNotAllowed": phonoglyph.ENOTFOUND,
	"InvalidURI": phonoglyph.EINVALID, "IncompleteBody": phonoglyph.EINVALID,
	"InternalError": phonoglyph.EINTERNAL,
}

// write sends the error in the API's JSON error shape,
// {"error":{"code","message"}}, the S3 code (AccessDenied, NoSuchKey…) in
// the X-Blob-Error header for whoever needs the finer reason.
func (e *s3Error) write(w http.ResponseWriter) {
	code, ok := appCode[e.code]
	if !ok {
		code = phonoglyph.EINTERNAL
	}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	body.Error.Code, body.Error.Message = code, e.message
	raw, _ := json.Marshal(body) // cannot fail: two strings
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Blob-Error", e.code)
	w.WriteHeader(e.status)
	w.Write(raw)
}
