package midi

import "strconv"

// Data is a parsed MIDI file in the original product's MIDIData shape.
// Slices are never nil, so they encode as [] rather than null. The event
// lists are sorted by tick (file order within a tick), with consecutive exact
// repeats (same tick and values, as format 1 files often have per track)
// dropped.
type Data struct {
	File           FileInfo        `json:"file"`
	Tracks         []Track         `json:"tracks"`         // one per MTrk chunk, in file order, including tracks without notes
	TempoChanges   []TempoChange   `json:"tempoChanges"`   // set-tempo events
	TimeSignatures []TimeSignature `json:"timeSignatures"` // time signature events
	KeySignatures  []KeySignature  `json:"keySignatures"`  // key signature events
	Format         int             `json:"format"`         // SMF format 0, 1 or 2

	timeline *tempoMap // track 0's tick-to-seconds map (shared by all tracks except in format 2)
}

// Seconds converts an absolute tick (≥ 0) to seconds on the file's tempo map
// (in format 2, track 0's), exactly as note times are converted.
func (d *Data) Seconds(tick int64) float64 {
	if d.timeline == nil {
		return 0
	}
	return d.timeline.seconds(max(tick, 0))
}

// FileInfo summarises the file.
type FileInfo struct {
	Name            string  `json:"name"`            // the name given to Parse
	Size            int64   `json:"size"`            // bytes
	Duration        float64 `json:"duration"`        // seconds to the end of the last track (its last event)
	TicksPerQuarter int     `json:"ticksPerQuarter"` // header division; for SMPTE files see Parse
	TimeSignature   [2]int  `json:"timeSignature"`   // the first time signature, default [4, 4]
	KeySignature    string  `json:"keySignature"`    // the first key signature ("F# major", "Eb minor"), default "C major"
}

// Track is one MTrk chunk.
type Track struct {
	ID         string `json:"id"`         // "track-<index>", index from 0 as Note.Track
	Name       string `json:"name"`       // track name meta event, else instrument name, else "Track <index+1>"
	Instrument string `json:"instrument"` // "Program <n>" from the first program change, else ""
	Channel    int    `json:"channel"`    // channel (0-15) of the first note, 0 when none
	Notes      []Note `json:"notes"`      // by start tick
	Color      string `json:"color"`      // from a fixed palette, cycling by track index
}

// Note is one sounding note.
type Note struct {
	ID            string  `json:"id"`            // "<track>-<index>", unique in the file
	Track         int     `json:"track"`         // index in Data.Tracks
	Channel       int     `json:"channel"`       // 0-15
	Note          int     `json:"note"`          // MIDI key 0-127
	Pitch         int     `json:"pitch"`         // = Note
	Name          string  `json:"name"`          // "C#4": octave ⌊note/12⌋−1, so 60 is "C4"
	Velocity      int     `json:"velocity"`      // note-on velocity 1-127
	StartTime     float64 `json:"startTime"`     // seconds
	Start         int64   `json:"start"`         // ticks
	Duration      float64 `json:"duration"`      // seconds
	DurationTicks int64   `json:"durationTicks"` // ticks; 0 for a note ended on its start tick
}

// TempoChange is a set-tempo meta event.
type TempoChange struct {
	Tick                   int64   `json:"tick"` // absolute
	Time                   float64 `json:"time"` // seconds
	BPM                    float64 `json:"bpm"`  // 60e6 / MicrosecondsPerQuarter, unrounded
	MicrosecondsPerQuarter int     `json:"microsecondsPerQuarter"`
}

// TimeSignature is a time signature meta event.
type TimeSignature struct {
	Tick        int64   `json:"tick"`
	Time        float64 `json:"time"`
	Numerator   int     `json:"numerator"`
	Denominator int     `json:"denominator"` // a power of two
}

// KeySignature is a key signature meta event.
type KeySignature struct {
	Tick   int64   `json:"tick"`
	Time   float64 `json:"time"`
	Key    string  `json:"key"`    // "C major", "A minor", "F# major", "Eb minor"
	Sharps int     `json:"sharps"` // -7 (7 flats) to 7 (7 sharps)
	Minor  bool    `json:"minor"`
}

// NoteCount returns the number of notes in all tracks.
func (d *Data) NoteCount() int {
	n := 0
	for _, t := range d.Tracks {
		n += len(t.Notes)
	}
	return n
}

// FirstTempo returns the BPM of the first tempo change, or 120 (the SMF
// default) when the file has none.
func (d *Data) FirstTempo() float64 {
	if len(d.TempoChanges) == 0 {
		return 60e6 / defaultTempo
	}
	return d.TempoChanges[0].BPM
}

// trackColors is the original's track palette: sage, slate, dusty rose,
// warm grey, soft blue.
var trackColors = [...]string{"#84a98c", "#6b7c93", "#b08a8a", "#a8a29e", "#8da3b0"}

// pitchNames name the pitch classes, with sharps as the original did.
var pitchNames = [12]string{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}

// noteNames holds the names of MIDI keys 0-127, so notes share them.
var noteNames = func() (names [128]string) {
	for n := range names {
		names[n] = pitchNames[n%12] + strconv.Itoa(n/12-1)
	}
	return names
}()

// Tonics by number of sharps (-7 = 7 flats … 7 sharps), index sharps+7.
var (
	majorKeys = [15]string{"Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"}
	minorKeys = [15]string{"Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"}
)

// keyName names a key signature; sharps must be in -7..7.
func keyName(sharps int, minor bool) string {
	if minor {
		return minorKeys[sharps+7] + " minor"
	}
	return majorKeys[sharps+7] + " major"
}
