package eventually

import (
	"testing"
	"time"
)

func TestUntil(t *testing.T) {
	calls := 0
	if !Until(time.Second, func() bool { calls++; return calls == 3 }) || calls != 3 {
		t.Errorf("a condition true on the third check: %d checks", calls)
	}
	checks := 0
	if Until(50*time.Millisecond, func() bool { checks++; return false }) || checks < 2 {
		t.Errorf("a condition that never holds: reported to hold, or given up after %d checks", checks)
	}
}
