package corpus

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"phonoglyph/midi"
)

// TestRealMIDISplit splits every planetblupi song by stem and checks that
// the stems hold every note exactly once, drums only on channel 10, and
// that the truth's beats follow the file's tempo and bars and sit on the
// notes (the median note onset within 10 ms of a sixteenth of the grid).
func TestRealMIDISplit(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(PlanetBlupiDir, "*.mid"))
	if len(files) == 0 {
		t.Fatalf("no MIDI files in %s (.ci/run installs planetblupi-music-midi)", PlanetBlupiDir)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, events, err := midi.ParseEvents(bytes.NewReader(b), f, midi.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		chans := channelStems(events)
		stems, err := splitByStem(d.File.TicksPerQuarter, events, chans)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for stem, m := range stems {
			sd, err := midi.Parse(bytes.NewReader(m), stem, midi.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			total += sd.NoteCount()
			for _, tr := range sd.Tracks {
				for _, n := range tr.Notes {
					if (n.Channel == 9) != (stem == "drums") || chans[n.Channel] != stem {
						t.Fatalf("%s: a channel %d note in the %s stem", f, n.Channel, stem)
					}
				}
			}
			if sd.Seconds(int64(10*sd.File.TicksPerQuarter)) != d.Seconds(int64(10*d.File.TicksPerQuarter)) {
				t.Fatalf("%s: the %s stem lost the tempo map", f, stem)
			}
		}
		if total != d.NoteCount() || stems["drums"] == nil {
			t.Fatalf("%s: stems hold %d notes, the file %d", f, total, d.NoteCount())
		}
		tr := fileTruth("x", d, chans)
		if tr.BeatsPerBar != 4 || len(tr.Beats) != 4*len(tr.Downbeats) || len(tr.Onsets) == 0 {
			t.Fatalf("%s: %d beats per bar, %d beats, %d downbeats", f, tr.BeatsPerBar, len(tr.Beats), len(tr.Downbeats))
		}
		if p := tr.Beats[1] - tr.Beats[0]; math.Abs(p-60/tr.BPM) > 1e-5 || tr.Beats[len(tr.Beats)-1] < tr.Onsets[len(tr.Onsets)-1]-60/tr.BPM*4 {
			t.Fatalf("%s: beat period %v at %v BPM, last beat %v, last onset %v", f, p, tr.BPM, tr.Beats[len(tr.Beats)-1], tr.Onsets[len(tr.Onsets)-1])
		}
		sixteenth, res := 15/tr.BPM, []float64{}
		for _, o := range tr.Onsets {
			res = append(res, math.Mod(o-tr.Beats[0]+sixteenth/2, sixteenth)-sixteenth/2)
		}
		slices.Sort(res)
		if r := res[len(res)/2]; math.Abs(r) > 0.01 {
			t.Errorf("%s: the note onsets sit a median %.0f ms from the truth's sixteenth grid", f, 1000*r)
		}
	}
}
