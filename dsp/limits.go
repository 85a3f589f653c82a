package dsp

import (
	"errors"
	"fmt"
)

// Defaults applied to zero (or negative) Limits fields.
const (
	defaultMaxSeconds  = 3600
	defaultMaxChannels = 8
)

// Limits bound what a decoder accepts from untrusted input.
type Limits struct {
	MaxSeconds  float64 // 0 = default 3600 (1 h)
	MaxChannels int     // 0 = default 8
}

// Seconds is the longest audio the limits accept, in seconds: MaxSeconds,
// or its default when unset.
func (l Limits) Seconds() float64 { return l.withDefaults().MaxSeconds }

// withDefaults replaces unset (zero, negative or NaN) fields by the defaults.
func (l Limits) withDefaults() Limits {
	if !(l.MaxSeconds > 0) {
		l.MaxSeconds = defaultMaxSeconds
	}
	if l.MaxChannels <= 0 {
		l.MaxChannels = defaultMaxChannels
	}
	return l
}

// ErrInvalid is wrapped by every error caused by the input itself (corrupt,
// truncated, unsupported, over limits); callers use errors.Is(err,
// dsp.ErrInvalid) to fail a job permanently instead of retrying.
var ErrInvalid = errors.New("invalid audio")

// invalid returns an error wrapping ErrInvalid with a message for humans.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
