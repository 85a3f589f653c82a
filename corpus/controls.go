package corpus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"phonoglyph/midi"
)

// controlSet holds the negative controls: material with no onsets and no
// tempo (a steady 440 Hz sine, a sustained pad chord, white and pink
// noise), each 8 s and longer.
func controlSet() []Track {
	var out []Track
	for _, secs := range []float64{8, 60} {
		for _, kind := range []string{"sine440", "white", "pink"} {
			out = append(out, synthControl(kind, secs))
		}
	}
	return append(out, padControl(8), padControl(30))
}

// controlTruth is the truth of every control: no beats, no onsets.
func controlTruth(id string) *Truth {
	return &Truth{ID: id, Kind: "control", TempoKind: "none", TempoMap: []TempoPoint{}, Beats: []float64{},
		BeatPositions: []int{}, Downbeats: []float64{}, Sections: []SectionTruth{}, Onsets: []float64{},
		StemOnsets: map[string][]float64{}, Notes: map[string]int{}}
}

// synthControl makes a sine or noise signal in Go, at −12 dBFS peak (sine)
// or −20 dBFS RMS (noise), with 10 ms fades.
func synthControl(kind string, secs float64) Track {
	id := fmt.Sprintf("control-%s-%gs", kind, secs)
	return Track{ID: id, make: func(ctx context.Context, dir string) (*Truth, error) {
		frames := int64(secs * SampleRate)
		r := rand.New(rand.NewPCG(uint64(frames), uint64(len(kind))))
		var b [7]float64 // pink noise filter state (Paul Kellet's refined filter)
		w, err := createWAV24(filepath.Join(dir, "mix.wav"), frames)
		if err != nil {
			return nil, err
		}
		fade := 0.01 * SampleRate
		for i := range frames {
			var v float64
			switch kind {
			case "sine440":
				v = 0.25 * math.Sin(2*math.Pi*440*float64(i)/SampleRate)
			case "white":
				v = 0.1 * r.NormFloat64()
			case "pink":
				x := r.NormFloat64()
				b[0] = 0.99886*b[0] + x*0.0555179
				b[1] = 0.99332*b[1] + x*0.0750759
				b[2] = 0.96900*b[2] + x*0.1538520
				b[3] = 0.86650*b[3] + x*0.3104856
				b[4] = 0.55000*b[4] + x*0.5329522
				b[5] = -0.7616*b[5] - x*0.0168980
				v = 0.1 / 3.5 * (b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + x*0.5362)
				b[6] = x * 0.115926
			}
			v *= math.Min(1, math.Min(float64(i)/fade, float64(frames-1-i)/fade))
			q := int32(math.Round(math.Max(-1, math.Min(1, v)) * full24))
			if err := errors.Join(w.put(q), w.put(q)); err != nil {
				w.close()
				return nil, err
			}
		}
		if err := w.close(); err != nil {
			return nil, err
		}
		tr := controlTruth(id)
		tr.Duration, tr.Gain, tr.Files = float64(frames)/SampleRate, 1, map[string]string{"wav": "mix.wav"}
		for _, f := range Formats {
			name := "mix." + f.Ext
			if err := ffmpeg(ctx, filepath.Join(dir, "mix.wav"), filepath.Join(dir, name), f.Args); err != nil {
				return nil, err
			}
			tr.Files[f.Ext] = name
		}
		return tr, nil
	}}
}

// padControl renders one sustained pad chord (C–E–G–B, warm pad) for secs
// seconds with FluidSynth.
func padControl(secs float64) Track {
	id := fmt.Sprintf("control-pad-%gs", secs)
	return Track{ID: id, make: func(ctx context.Context, dir string) (*Truth, error) {
		end := int64(secs * 2 * tpq) // 120 BPM: two quarters a second
		ev := []midi.Event{midi.TrackName(0, "other:pad"), midi.Program(0, 0, 89)}
		for _, k := range []uint8{48, 60, 64, 67, 71} {
			ev = append(ev, midi.NoteOn(0, 0, k, 80), midi.NoteOff(end-tpq, 0, k))
		}
		f, err := os.CreateTemp(dir, "pad*.mid")
		if err != nil {
			return nil, err
		}
		err = midi.Write(f, tpq, []midi.Event{midi.Tempo(0, 500000)}, ev)
		f.Close()
		if err != nil {
			return nil, err
		}
		mid, err := os.ReadFile(f.Name())
		os.Remove(f.Name())
		if err != nil {
			return nil, err
		}
		tr := controlTruth(id)
		tr.Renderer = FluidR3.Name()
		if err := renderStems(ctx, dir, FluidR3, map[string][]byte{"other": mid}, 6, tr); err != nil {
			return nil, err
		}
		return tr, nil
	}}
}
