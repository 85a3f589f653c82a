package dsp_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"phonoglyph/corpus"
	"phonoglyph/dsp"
)

// realTracks are dev-set arrangements of the evaluation corpus rendered with
// the small TimGM6mb soundfont (about 30 s each to build; cached under
// ~/.cache/phonoglyph/corpus): pop, 6/8 with a ritardando, EDM, pop and a
// shuffle.
var realTracks = []string{"dev-02-pop", "dev-08-sixeight", "dev-14-edm", "dev-17-pop", "dev-20-shuffle"}

// TestRealMusic: on multi-instrument arrangements rendered from MIDI, the
// tempo of steady tracks is within 1 % of the notated tactus, the meter is
// right, and the means of beat F (±70 ms), downbeat F, onset F (±50 ms)
// and section boundary F (±0.5 s) reach 0.9, 0.85, 0.9 and 0.7.
func TestRealMusic(t *testing.T) {
	root, err := corpus.CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	tracks, err := corpus.Set("dev")
	if err != nil {
		t.Fatal(err)
	}
	trim := func(v []float64) []float64 {
		return slices.DeleteFunc(slices.Clone(v), func(x float64) bool { return x < 5 })
	}
	var beatF, downF, onF, secF float64
	for _, id := range realTracks {
		i := slices.IndexFunc(tracks, func(tr corpus.Track) bool { return tr.ID == id })
		if i < 0 {
			t.Fatalf("no track %s in the dev set", id)
		}
		truth, err := tracks[i].Build(context.Background(), filepath.Join(root, "dev"))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		path := filepath.Join(root, "dev", id, truth.Files["wav"])
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		d, c, err := dsp.Open(f, path, dsp.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := dsp.Analyze(d, dsp.Options{})
		c.Close()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		var bounds, got []float64
		for _, s := range truth.Sections[1:] {
			bounds = append(bounds, s.Start)
		}
		for _, s := range a.Sections[1:] {
			got = append(got, s.Start)
		}
		bf := dsp.FMeasure(trim(truth.Beats), trim(a.Beats), 0.07)
		df := dsp.FMeasure(trim(truth.Downbeats), trim(a.Downbeats), 0.07)
		of := dsp.FMeasure(truth.Onsets, a.Onsets, 0.05)
		sf := dsp.FMeasure(bounds, got, 0.5)
		beatF, downF, onF, secF = beatF+bf, downF+df, onF+of, secF+sf
		s := a.Summary
		t.Logf("%-16s %s %6.2f BPM (truth %6.2f, %s), %d/bar (truth %d), beat F %.2f, downbeat F %.2f, onset F %.2f, section F %.2f",
			id, truth.Style, s.BPM, truth.BPM, truth.TempoKind, s.TimeSignature.BeatsPerBar, truth.BeatsPerBar, bf, df, of, sf)
		if (truth.TempoKind == corpus.TempoSteady || truth.TempoKind == corpus.TempoDrift) && math.Abs(s.BPM-truth.BPM) > 0.01*truth.BPM {
			t.Errorf("%s: %v BPM, truth %v", id, s.BPM, truth.BPM)
		}
		if s.TimeSignature.BeatsPerBar != truth.BeatsPerBar {
			t.Errorf("%s: %d beats a bar, truth %d", id, s.TimeSignature.BeatsPerBar, truth.BeatsPerBar)
		}
	}
	n := float64(len(realTracks))
	beatF, downF, onF, secF = beatF/n, downF/n, onF/n, secF/n
	t.Logf("means: beat F %.3f, downbeat F %.3f, onset F %.3f, section F %.3f", beatF, downF, onF, secF)
	if beatF < 0.9 || downF < 0.85 || onF < 0.9 || secF < 0.7 {
		t.Errorf("beat F %.3f, downbeat F %.3f, onset F %.3f, section F %.3f", beatF, downF, onF, secF)
	}
}
