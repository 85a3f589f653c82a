package storage

import "time"

// SetNow replaces l's clock, so tests can sign URLs that have expired.
func SetNow(l *Local, now func() time.Time) { l.now = now }
