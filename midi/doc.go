// Package midi parses Standard MIDI Files (SMF formats 0, 1 and 2) safely
// into the original product's MIDIData shape, stored as
// midi_files.parsed_data by the midi_parse job.
//
// Input is untrusted. Parse reads at most Limits.MaxBytes+1 bytes once and
// decodes by slicing that buffer: no length field from the file ever sizes
// an allocation, every loop consumes input, and the number of tracks, events
// and notes is bounded by Limits. Every error caused by the file wraps
// ErrInvalid, so callers can fail a job permanently instead of retrying.
//
// Times are converted with a full tempo map: tempo events from every track
// are merged on the absolute tick axis (formats 0 and 1) and every tick is
// converted to seconds by integrating over each tempo segment, starting at
// the SMF default of 500000 µs per quarter note (120 BPM).
package midi
