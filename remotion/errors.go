package remotion

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrThrottled is wrapped by the errors of invocations that Lambda
// throttled: HTTP 429 TooManyRequestsException, "Rate Exceeded", or a
// concurrency limit reached, also when the function reports it from inside.
// Back off and try again; [IsThrottled] tests for it.
var ErrThrottled = errors.New("remotion: lambda throttled")

// IsThrottled reports whether err is, or wraps, a throttling of the
// function.
func IsThrottled(err error) bool {
	return errors.Is(err, ErrThrottled)
}

// FunctionError is the render function failing. Type is "error" when its
// handler answered {"type":"error","message":...} with HTTP 200 (a version
// mismatch is one); otherwise the runtime failed (crash, timeout, out of
// memory) and Type is the errorType Lambda reported with the
// X-Amz-Function-Error header, such as "Runtime.ExitError". Message is the
// function's message, kept whole.
type FunctionError struct {
	Type    string
	Message string
}

// Error implements the error interface.
func (e *FunctionError) Error() string {
	return "remotion function error (" + e.Type + "): " + e.Message
}

// Is makes errors.Is(err, ErrThrottled) true for a function that failed
// because Lambda throttled the invocations it made itself.
func (e *FunctionError) Is(target error) bool {
	return target == ErrThrottled && throttleMessage(e.Message)
}

// throttleCodes are the API error codes of throttling.
var throttleCodes = map[string]bool{
	"TooManyRequestsException": true,
	"ThrottlingException":      true,
	"Throttling":               true,
}

// throttledAPIError reports whether err, returned by the SDK, is Lambda
// refusing an invocation because of rate or concurrency limits.
func throttledAPIError(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusTooManyRequests {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (throttleCodes[ae.ErrorCode()] || throttleMessage(ae.ErrorMessage()))
}

// throttleMessage reports whether msg is one of the ways Lambda and Remotion
// word throttling.
func throttleMessage(msg string) bool {
	msg = strings.ToLower(msg)
	for _, s := range []string{"rate exceeded", "toomanyrequestsexception", "concurrentinvocationlimitexceeded", "concurrency limit"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
