package corpus

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"phonoglyph/dsp"
	"phonoglyph/midi"
)

// TestStyles checks every pattern, progression and form of the style table.
func TestStyles(t *testing.T) {
	for _, st := range styles {
		n := st.Meter.steps()
		check := func(what, p string) {
			p = strings.TrimPrefix(p, "!")
			if p != "" && n%len(p) != 0 {
				t.Errorf("%s %s: pattern %q has %d steps; the bar has %d", st.Name, what, p, len(p), n)
			}
		}
		for lv, p := range st.Drums.Patterns {
			for _, l := range lanes(p) {
				if _, ok := drumKeys[l[0][0]]; !ok || len(l[0]) != 1 {
					t.Errorf("%s drums level %d: unknown lane %q", st.Name, lv, l[0])
				}
				check("drums", l[1])
			}
		}
		parts := append([]Part{st.Bass, st.Piano, st.Lead}, st.Other...)
		for _, p := range parts {
			for _, pat := range p.Patterns {
				check("part", pat)
			}
			if has(p) && (len(p.Programs) == 0 || p.Center == 0) {
				t.Errorf("%s: a part with patterns has no program or centre", st.Name)
			}
		}
		for _, p := range append(slices.Clone(st.Major), st.MinorP...) {
			if _, err := parseProgression(p); err != nil {
				t.Errorf("%s: %v", st.Name, err)
			}
		}
		if len(st.MinorP) == 0 || len(st.Forms) == 0 || st.BPM[0] < 56 || st.BPM[1] > 180 {
			t.Errorf("%s: needs minor progressions, forms and a tempo range in 56..180", st.Name)
		}
	}
}

// TestDeterministic: the same spec gives the same MIDI bytes, another seed
// another song.
func TestDeterministic(t *testing.T) {
	mid := func(seed uint64) []byte {
		s, err := arrange(Spec{ID: "d", Style: "funk", Seed: seed, Key: Key{7, true}, Tempo: TempoDrift})
		if err != nil {
			t.Fatal(err)
		}
		s.humanize()
		b, err := s.midiFile()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if a, b := mid(3), mid(3); !bytes.Equal(a, b) {
		t.Fatal("same seed, different MIDI")
	}
	if bytes.Equal(mid(3), mid(4)) {
		t.Fatal("different seeds, same MIDI")
	}
}

// Krumhansl–Kessler key profiles.
var (
	kkMajor = [12]float64{6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88}
	kkMinor = [12]float64{6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17}
)

// keyOf estimates the key of pitched notes (duration-weighted pitch-class
// histogram against the Krumhansl–Kessler profiles).
func keyOf(d *midi.Data) Key {
	var h [12]float64
	for _, tr := range d.Tracks {
		if strings.HasPrefix(tr.Name, "drums") {
			continue
		}
		for _, n := range tr.Notes {
			h[n.Note%12] += n.Duration
		}
	}
	best, bestR := Key{}, math.Inf(-1)
	for tonic := range 12 {
		for _, minor := range []bool{false, true} {
			p := kkMajor
			if minor {
				p = kkMinor
			}
			var x, y [12]float64
			for i := range 12 {
				x[i], y[i] = h[(tonic+i)%12], p[i]
			}
			if r := corr(x[:], y[:]); r > bestR {
				best, bestR = Key{tonic, minor}, r
			}
		}
	}
	return best
}

func corr(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx, my = mx+x[i]/float64(len(x)), my+y[i]/float64(len(y))
	}
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// TestTruthMatchesMIDI arranges every style in several keys and tempo map
// kinds and checks the truth against the MIDI file as the parser reads it.
func TestTruthMatchesMIDI(t *testing.T) {
	kinds := []string{TempoSteady, TempoDrift, TempoAccel, TempoRit, TempoStep}
	keyMisses := 0
	for i, st := range styles {
		key := Key{Tonic: (i * 5) % 12, Minor: i%2 == 1}
		spec := Spec{ID: st.Name, Style: st.Name, Seed: uint64(100 + i), Key: key, Tempo: kinds[i%len(kinds)]}
		s, err := arrange(spec)
		if err != nil {
			t.Fatal(err)
		}
		s.humanize()
		mid, err := s.midiFile()
		if err != nil {
			t.Fatal(err)
		}
		tr, err := s.truth(mid)
		if err != nil {
			t.Fatal(err)
		}
		d, err := midi.Parse(bytes.NewReader(mid), "x.mid", midi.Limits{MaxBytes: 64 << 20})
		if err != nil {
			t.Fatal(err)
		}
		bpb := tr.BeatsPerBar
		if len(tr.Beats) != s.bars*bpb+1 || len(tr.BeatPositions) != len(tr.Beats) || len(tr.Downbeats) != s.bars+1 {
			t.Fatalf("%s: %d beats, %d positions, %d downbeats for %d bars of %d", st.Name, len(tr.Beats), len(tr.BeatPositions), len(tr.Downbeats), s.bars, bpb)
		}
		for j, b := range tr.Beats {
			if tr.BeatPositions[j] != j%bpb+1 {
				t.Fatalf("%s: beat %d at position %d", st.Name, j, tr.BeatPositions[j])
			}
			if j%bpb == 0 && tr.Downbeats[j/bpb] != b {
				t.Fatalf("%s: downbeat %d at %v, beat %d at %v", st.Name, j/bpb, tr.Downbeats[j/bpb], j, b)
			}
			if j > 0 {
				// The beat period is the tempo map's tempo at the previous beat.
				bpm := tr.TempoMap[0].BPM
				for _, p := range tr.TempoMap {
					if p.Time <= tr.Beats[j-1]+1e-6 {
						bpm = p.BPM
					}
				}
				if got := b - tr.Beats[j-1]; math.Abs(got-60/bpm) > 2e-6 {
					t.Fatalf("%s: beat %d after %v s, the tempo map says %v BPM", st.Name, j, got, bpm)
				}
			}
		}
		if d.File.TimeSignature != [2]int{st.Meter.Num, st.Meter.Den} {
			t.Fatalf("%s: MIDI time signature %v", st.Name, d.File.TimeSignature)
		}
		if tr.BPM < st.BPM[0]-0.01 || tr.BPM > st.BPM[1]+0.01 {
			t.Fatalf("%s: %v BPM outside %v", st.Name, tr.BPM, st.BPM)
		}
		// Onsets: sorted, merged, each a note start of the file.
		var starts []float64
		for _, trk := range d.Tracks {
			for _, n := range trk.Notes {
				starts = append(starts, round6(n.StartTime))
			}
		}
		for j, o := range tr.Onsets {
			if j > 0 && o-tr.Onsets[j-1] < OnsetMerge-1e-6 {
				t.Fatalf("%s: onsets %v and %v not merged", st.Name, tr.Onsets[j-1], o)
			}
			if !slices.Contains(starts, o) {
				t.Fatalf("%s: onset %v is no note start", st.Name, o)
			}
		}
		if len(tr.Onsets) < len(tr.Beats)/2 || len(tr.StemOnsets["drums"]) == 0 || len(tr.StemOnsets["bass"]) == 0 {
			t.Fatalf("%s: %d onsets, drums %d, bass %d", st.Name, len(tr.Onsets), len(tr.StemOnsets["drums"]), len(tr.StemOnsets["bass"]))
		}
		// Sections: contiguous from the first downbeat, on downbeats, labelled.
		for j, x := range tr.Sections {
			if !slices.Contains(tr.Downbeats, x.Start) || x.End <= x.Start || x.Label == "" {
				t.Fatalf("%s: section %+v", st.Name, x)
			}
			if j > 0 && x.Start != tr.Sections[j-1].End {
				t.Fatalf("%s: gap before section %d", st.Name, j)
			}
		}
		if tr.Sections[0].Start != tr.Beats[0] || len(tr.Sections) < 3 {
			t.Fatalf("%s: sections %+v", st.Name, tr.Sections)
		}
		key = s.spec.Key // a style without major progressions plays in minor
		if !sameKeyName(d.File.KeySignature, key) {
			t.Fatalf("%s: key signature %q, key %s", st.Name, d.File.KeySignature, key)
		}
		if got := keyOf(d); got != key || tr.Key != key.String() {
			keyMisses++
			t.Logf("%s: the notes read as %s, the truth is %s", st.Name, got, tr.Key)
		}
		if tr.Duration != 0 {
			t.Fatalf("%s: duration is set before rendering", st.Name)
		}
		if s.bars*bpb < 16 || 60/tr.BPM*float64(len(tr.Beats)) < 55 || 60/tr.BPM*float64(len(tr.Beats)) > 200 {
			t.Fatalf("%s: %d bars at %v BPM", st.Name, s.bars, tr.BPM)
		}
	}
	// The key profile estimate is itself imperfect (modal and blues
	// progressions); the arrangement must express its key nearly always.
	if keyMisses > len(styles)/6 {
		t.Fatalf("%d of %d styles do not read as their key", keyMisses, len(styles))
	}
}

// sameKeyName compares a key signature name (flats or sharps) to a key.
func sameKeyName(sig string, k Key) bool {
	flats := map[string]string{"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#", "Cb": "B"}
	name, mode, _ := strings.Cut(sig, " ")
	if s, ok := flats[name]; ok {
		name = s
	}
	return name+" "+mode == k.String()
}

// TestRenderMix renders one short arrangement with FluidSynth and checks
// that the mix is exactly the sum of the stems and that every format
// decodes to the same length.
func TestRenderMix(t *testing.T) {
	for _, c := range []string{"fluidsynth", "ffmpeg"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("%s is not installed (.ci/run installs it)", c)
		}
	}
	r := TimGM6mb
	if err := r.Check(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := Spec{ID: "t", Style: "pop", Seed: 11, Key: Key{9, true}, Seconds: [2]float64{8, 12}, Renderer: r}
	tr, err := generated(spec).Build(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := generated(spec).Build(context.Background(), dir) // cached: read back
	if err != nil || again.Gain != tr.Gain {
		t.Fatalf("cached build: %v, gain %v vs %v", err, again.Gain, tr.Gain)
	}
	track := filepath.Join(dir, "t")
	mix := decode(t, filepath.Join(track, "mix.wav"))
	sum := make([]float64, len(mix))
	for _, stem := range Stems {
		x := decode(t, filepath.Join(track, tr.Stems[stem]))
		if len(x) != len(mix) {
			t.Fatalf("stem %s has %d samples, the mix %d", stem, len(x), len(mix))
		}
		var energy float64
		for i, v := range x {
			sum[i] += float64(v)
			energy += float64(v) * float64(v)
		}
		if (energy > 0) != (tr.Notes[stem] > 0) {
			t.Fatalf("stem %s: energy %v with %d notes", stem, energy, tr.Notes[stem])
		}
	}
	var peak float64
	for i, v := range mix {
		if float64(v) != sum[i] {
			t.Fatalf("sample %d: mix %v, sum of stems %v", i, v, sum[i])
		}
		peak = math.Max(peak, math.Abs(sum[i]))
	}
	if db := 20 * math.Log10(peak); db > -0.9 || db < -7 {
		t.Fatalf("mix peak %.2f dBFS, want −1..−6", db)
	}
	if got := float64(len(mix)/2) / SampleRate; got != tr.Duration || got < tr.Beats[len(tr.Beats)-1] {
		t.Fatalf("duration %v, truth %v, last beat %v", got, tr.Duration, tr.Beats[len(tr.Beats)-1])
	}
	for _, f := range Formats {
		x := decode(t, filepath.Join(track, tr.Files[f.Ext]))
		if d := float64(len(x)/2) / SampleRate; math.Abs(d-tr.Duration) > 0.05 {
			t.Fatalf("%s decodes to %.3f s, the mix is %.3f s", f.Ext, d, tr.Duration)
		}
	}
	if _, err := os.Stat(filepath.Join(track, "midi", "drums.mid")); err != nil {
		t.Fatal(err)
	}
}

// decode reads a whole audio file with the project's decoders.
func decode(t *testing.T, path string) []float32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec, closer, err := dsp.Open(f, path, dsp.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	var out []float32
	buf := make([]float32, 8192)
	for {
		n, err := dec.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	return out
}

// TestSets checks the sets' layout: disjoint seeds and ids, styles and
// renderers the holdout has and dev does not, all 24 keys, 60..180 BPM.
func TestSets(t *testing.T) {
	dev, _ := Set("dev")
	hold, _ := Set("holdout")
	if len(dev) < 20 || len(hold) < 20 {
		t.Fatalf("%d dev and %d holdout tracks", len(dev), len(hold))
	}
	devStyle := map[string]bool{}
	for _, s := range devStyles {
		st, _ := styleByName(s)
		if st == nil || st.Holdout {
			t.Fatalf("dev uses style %q", s)
		}
		devStyle[s] = true
	}
	newStyles := 0
	for _, s := range holdoutStyles {
		if !devStyle[s] {
			newStyles++
		}
	}
	if newStyles == 0 {
		t.Fatal("the holdout has no style dev lacks")
	}
	ids := map[string]bool{}
	for _, tr := range append(dev, hold...) {
		if ids[tr.ID] {
			t.Fatalf("duplicate id %s", tr.ID)
		}
		ids[tr.ID] = true
	}
	for _, name := range SetNames {
		if _, err := Set(name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Set("nope"); err == nil {
		t.Fatal("unknown set accepted")
	}
}
