// Package eventually waits, in tests, for something that happens
// asynchronously — a job reaching a status, a cleanup job deleting an
// object — with one polling loop instead of one per test. The deadline is a
// bound on a broken run, never a timing assertion: a test states what must
// happen, not how fast.
package eventually

import (
	"testing"
	"time"
)

// interval is how often a condition is checked.
const interval = 20 * time.Millisecond

// Until checks cond every 20 ms until it holds or timeout passes, and
// reports whether it held.
func Until(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); ; time.Sleep(interval) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// True fails t at once when cond does not hold within timeout; what says
// what was awaited ("the job completes").
func True(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Until(timeout, cond) {
		t.Fatalf("after %s: %s did not happen", timeout, what)
	}
}
