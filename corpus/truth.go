package corpus

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"phonoglyph/midi"
)

// OnsetMerge is the window within which note onsets count as one onset.
const OnsetMerge = 0.030

// Truth is what is known about a track; it is written as truth.json next
// to its audio. Times are seconds from the start of the audio.
type Truth struct {
	ID            string               `json:"id"`
	Set           string               `json:"set"`
	Kind          string               `json:"kind"` // "generated", "midi" (a real song) or "control"
	Style         string               `json:"style,omitempty"`
	Seed          uint64               `json:"seed,omitempty"`
	Renderer      string               `json:"renderer,omitempty"`
	Duration      float64              `json:"duration"`
	BPM           float64              `json:"bpm"`        // tactus tempo at the start; 0 = no tempo
	TempoKind     string               `json:"tempo_kind"` // steady, drift, accel, rit, step, map (real MIDI), none
	TempoMap      []TempoPoint         `json:"tempo_map"`
	TimeSignature string               `json:"time_signature,omitempty"` // "4/4", "3/4", "6/8"
	BeatsPerBar   int                  `json:"beats_per_bar"`            // tactus beats per bar (6/8: 2)
	Beats         []float64            `json:"beats"`
	BeatPositions []int                `json:"beat_positions"` // 1..beats_per_bar
	Downbeats     []float64            `json:"downbeats"`
	Key           string               `json:"key,omitempty"` // "F# minor"; empty when unknown
	Tonic         string               `json:"tonic,omitempty"`
	Mode          string               `json:"mode,omitempty"` // major, minor
	Sections      []SectionTruth       `json:"sections"`
	Onsets        []float64            `json:"onsets"` // every note onset of every part, merged within 30 ms
	StemOnsets    map[string][]float64 `json:"stem_onsets"`
	Gain          float64              `json:"gain"`  // scale applied to the renderer's output of every stem
	Files         map[string]string    `json:"files"` // format → file name (wav, flac, mp3, ogg, m4a)
	Stems         map[string]string    `json:"stems"` // stem → file name (24-bit FLAC; mix.wav = Σ stems exactly)
	Notes         map[string]int       `json:"notes"` // notes per stem
}

// TempoPoint is the tactus tempo from a time on.
type TempoPoint struct {
	Time float64 `json:"time"`
	BPM  float64 `json:"bpm"`
}

// SectionTruth is a stretch of the arrangement.
type SectionTruth struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Label string  `json:"label"`
}

// merge sorts onsets and keeps the first of every group closer than
// OnsetMerge to the previous kept onset.
func merge(times []float64) []float64 {
	slices.Sort(times)
	out := []float64{}
	for _, t := range times {
		if len(out) == 0 || t-out[len(out)-1] >= OnsetMerge {
			out = append(out, t)
		}
	}
	return out
}

// round6 rounds to the microsecond, to keep the JSON short.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// onsetsByStem reads the note onsets of a parsed MIDI file, grouping tracks
// by stem with stemOf (tracks mapped to "" are dropped).
func onsetsByStem(d *midi.Data, stemOf func(midi.Track) string) (all []float64, byStem map[string][]float64, notes map[string]int) {
	byStem, notes = map[string][]float64{}, map[string]int{}
	for _, t := range d.Tracks {
		stem := stemOf(t)
		if stem == "" {
			continue
		}
		for _, n := range t.Notes {
			byStem[stem] = append(byStem[stem], n.StartTime)
			all = append(all, n.StartTime)
		}
		notes[stem] += len(t.Notes)
	}
	for k, v := range byStem {
		byStem[k] = roundAll(merge(v))
	}
	return roundAll(merge(all)), byStem, notes
}

func roundAll(x []float64) []float64 {
	for i := range x {
		x[i] = round6(x[i])
	}
	return x
}

// truth reads the truth of a generated song from its own MIDI file, parsed
// by the project's parser: every time is that parser's tick conversion.
func (s *song) truth(mid []byte) (*Truth, error) {
	d, err := midi.Parse(bytes.NewReader(mid), s.spec.ID+".mid", midi.Limits{MaxBytes: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("corpus: reading back %s: %w", s.spec.ID, err)
	}
	t := &Truth{ID: s.spec.ID, Kind: "generated", Style: s.spec.Style, Seed: s.spec.Seed, Renderer: s.spec.Renderer.Name(),
		TempoKind: s.spec.Tempo, TimeSignature: fmt.Sprintf("%d/%d", s.meter.Num, s.meter.Den), BeatsPerBar: s.meter.BeatsPerBar,
		Key: s.spec.Key.String(), Tonic: PitchNames[s.spec.Key.Tonic], Mode: strings.Fields(s.spec.Key.String())[1]}
	quartersPerBeat := float64(s.beatTicks) / tpq
	for _, p := range s.tempo {
		t.TempoMap = append(t.TempoMap, TempoPoint{round6(d.Seconds(max(p.tick, s.leadIn))), 60e6 / float64(p.uspq) / quartersPerBeat})
	}
	t.TempoMap[0].Time = round6(d.Seconds(s.leadIn))
	t.BPM = t.TempoMap[0].BPM
	// Beats of every bar, then the final chord's downbeat.
	for b := range s.bars {
		for k := range s.meter.BeatsPerBar {
			t.Beats = append(t.Beats, round6(d.Seconds(s.barTick(b)+int64(k)*s.beatTicks)))
			t.BeatPositions = append(t.BeatPositions, k+1)
		}
		t.Downbeats = append(t.Downbeats, round6(d.Seconds(s.barTick(b))))
	}
	end := round6(d.Seconds(s.barTick(s.bars)))
	t.Beats, t.BeatPositions, t.Downbeats = append(t.Beats, end), append(t.BeatPositions, 1), append(t.Downbeats, end)
	for _, x := range s.sections {
		t.Sections = append(t.Sections, SectionTruth{round6(d.Seconds(s.barTick(x.Bar))), round6(d.Seconds(s.barTick(x.Bar + x.Bars))), x.Label})
	}
	t.Onsets, t.StemOnsets, t.Notes = onsetsByStem(d, func(tr midi.Track) string {
		stem, _, _ := strings.Cut(tr.Name, ":")
		if slices.Contains(Stems, stem) {
			return stem
		}
		return ""
	})
	return t, nil
}
