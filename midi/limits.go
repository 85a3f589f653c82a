package midi

// Defaults applied to zero (or negative) Limits fields.
const (
	defaultMaxBytes  = 5 << 20 // the MIDI upload limit
	defaultMaxTracks = 256
	defaultMaxNotes  = 1_000_000
	defaultMaxEvents = 5_000_000
)

// Limits bound what Parse accepts from untrusted input. A zero (or negative)
// field takes its default.
type Limits struct {
	MaxBytes  int64 // 0 = 5 MiB (the upload limit); larger input → ErrInvalid "file too large"
	MaxTracks int   // 0 = 256 MTrk chunks
	MaxNotes  int   // 0 = 1_000_000 notes in the whole file
	MaxEvents int   // 0 = 5_000_000 events in the whole file (bounds work on endless running-status streams)
}

// withDefaults replaces unset fields by the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = defaultMaxBytes
	}
	if l.MaxTracks <= 0 {
		l.MaxTracks = defaultMaxTracks
	}
	if l.MaxNotes <= 0 {
		l.MaxNotes = defaultMaxNotes
	}
	if l.MaxEvents <= 0 {
		l.MaxEvents = defaultMaxEvents
	}
	return l
}
