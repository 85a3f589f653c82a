package remotion

import "testing"

func TestFunctionErrorThrottled(t *testing.T) {
	for msg, want := range map[string]bool{
		"TooManyRequestsException: Rate Exceeded.":                       true,
		"AWS Concurrency limit reached (Original Error: Rate Exceeded.)": true,
		"ConcurrentInvocationLimitExceeded":                              true,
		"Version mismatch: ...":                                          false,
		"Runtime exited with error: signal: killed":                      false,
	} {
		if got := IsThrottled(&FunctionError{Type: "error", Message: msg}); got != want {
			t.Errorf("IsThrottled(FunctionError %q) = %v, want %v", msg, got, want)
		}
	}
}
