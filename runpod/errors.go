package runpod

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"phonoglyph"
)

// ErrUnauthorized is the cause of errors for requests RunPod refused with
// 401 or 403: the API key is wrong or may not use the endpoint. Retrying
// cannot help; the job fails at once.
var ErrUnauthorized = errors.New("RunPod refused the API key: check RUNPOD_API_KEY")

// ErrNotFound is the cause of errors for requests RunPod answered with 404:
// the endpoint does not exist, or the job is unknown or has expired because
// its ttl passed (even mid-run) or its result outlived RunPod's retention.
var ErrNotFound = errors.New("RunPod does not know the endpoint or the job: it may have expired after its ttl or result retention")

// RetryableError is a failure that may pass: RunPod answered 429 or 5xx, or
// the request did not get an answer.
type RetryableError struct {
	// Status is the HTTP status, 0 when there was no answer.
	Status int
	// RetryAfter is RunPod's Retry-After hint, 0 when it gave none.
	RetryAfter time.Duration
	// Err describes the failure.
	Err error
}

// Error returns the description of the failure.
func (e *RetryableError) Error() string { return e.Err.Error() }

// Unwrap returns the failure RetryableError wraps.
func (e *RetryableError) Unwrap() error { return e.Err }

// IsRetryable reports whether err is worth retrying and how long RunPod
// asked to wait first (0 when it did not say, leaving the backoff to the
// caller).
func IsRetryable(err error) (time.Duration, bool) {
	var r *RetryableError
	if errors.As(err, &r) {
		return r.RetryAfter, true
	}
	return 0, false
}

// statusError classifies a non-2xx answer to op. RunPod does not document
// its error bodies, so the status decides and the body only adds words.
func statusError(op string, res *http.Response, body []byte) error {
	detail := res.Status
	if msg := bodyMessage(body); msg != "" {
		detail += ": " + msg
	}
	switch code := res.StatusCode; {
	case code == http.StatusBadRequest:
		return phonoglyph.Errorf(phonoglyph.EINVALID, "RunPod rejected the %s request: %s", op, detail)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("runpod: %s: %w", op, ErrUnauthorized)
	case code == http.StatusNotFound:
		return fmt.Errorf("runpod: %s: %w", op, ErrNotFound)
	case code == http.StatusTooManyRequests || code >= 500:
		return &RetryableError{
			Status:     code,
			RetryAfter: retryAfter(res.Header.Get("Retry-After"), time.Now()),
			Err:        fmt.Errorf("runpod: %s: %s", op, detail),
		}
	default:
		return fmt.Errorf("runpod: %s: unexpected %s", op, detail)
	}
}

// maxMessage bounds the words taken from an error body.
const maxMessage = 200

// bodyMessage returns the message of an error body: the "error", "message"
// or "detail" string of a JSON object, else the text itself, on one line and
// at most maxMessage bytes long.
func bodyMessage(body []byte) string {
	var obj map[string]any
	msg := string(body)
	if json.Unmarshal(body, &obj) == nil {
		msg = ""
		for _, k := range []string{"error", "message", "detail"} {
			if s, ok := obj[k].(string); ok && s != "" {
				msg = s
				break
			}
		}
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > maxMessage {
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "…"
	}
	return msg
}

// retryAfter decodes a Retry-After header, delta-seconds or an HTTP date, as
// a wait from now; 0 when absent, malformed or past.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		return max(time.Duration(secs)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
