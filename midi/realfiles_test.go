package midi

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// defaultSamplesDir holds the .mid files of Debian's planetblupi-music-midi
// package; MIDI_SAMPLES_DIR overrides it.
const defaultSamplesDir = "/usr/share/planetblupi/music"

// sampleFiles returns the real MIDI files, failing when there are none.
func sampleFiles(tb testing.TB) []string {
	tb.Helper()
	dir := os.Getenv("MIDI_SAMPLES_DIR")
	if dir == "" {
		dir = defaultSamplesDir
	}
	entries, err := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		if ext := strings.ToLower(filepath.Ext(e.Name())); !e.IsDir() && (ext == ".mid" || ext == ".midi") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		tb.Fatalf("no .mid files in %s (%v): install Debian's planetblupi-music-midi or set MIDI_SAMPLES_DIR", dir, err)
	}
	slices.Sort(files)
	return files
}

func TestRealFiles(t *testing.T) {
	for _, path := range sampleFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d := parse(t, b)
			withNotes := 0
			for _, tr := range d.Tracks {
				if len(tr.Notes) > 0 {
					withNotes++
				}
			}
			if withNotes == 0 || !(d.File.Duration > 0) || d.File.Size != int64(len(b)) {
				t.Fatalf("%d tracks with notes, duration %v s, size %d", withNotes, d.File.Duration, d.File.Size)
			}
			t.Logf("format %d, %d tracks (%d with notes), %d notes, %.2f s, %d tempo changes, first %.2f BPM, %v, %s",
				d.Format, len(d.Tracks), withNotes, d.NoteCount(), d.File.Duration, len(d.TempoChanges), d.FirstTempo(),
				d.File.TimeSignature, d.File.KeySignature)
		})
	}
}
