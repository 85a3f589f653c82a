package midi

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error caused by the file itself (corrupt,
// truncated, unsupported, over Limits); callers fail the job permanently on
// errors.Is(err, midi.ErrInvalid).
var ErrInvalid = errors.New("invalid MIDI file")

// invalid returns an error wrapping ErrInvalid with a message for humans.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
