package corpus

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"phonoglyph/midi"
)

// PlanetBlupiDir holds the real MIDI songs of Debian's planetblupi-music-midi.
const PlanetBlupiDir = "/usr/share/planetblupi/music"

// planetblupiSet renders every song of PlanetBlupiDir, cycling soundfonts.
func planetblupiSet() ([]Track, error) {
	files, err := filepath.Glob(filepath.Join(PlanetBlupiDir, "*.mid"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("corpus: no MIDI files in %s: install Debian's planetblupi-music-midi", PlanetBlupiDir)
	}
	renderers := []Renderer{FluidR3, MuseScore, TimGM6mb, FluidMono}
	var out []Track
	for i, f := range files {
		id := "planetblupi-" + strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		out = append(out, realMIDI(id, f, renderers[i%len(renderers)]))
	}
	return out, nil
}

// stemOfProgram assigns a GM program (0-based) to a stem: pianos, basses,
// voice-like leads (voices, reeds, pipes, synth leads) to vocals, the rest
// (guitars, organs, strings, pads, brass, effects) to other.
func stemOfProgram(p int) string {
	switch {
	case p >= 0 && p <= 7:
		return "piano"
	case p >= 32 && p <= 39:
		return "bass"
	case p >= 52 && p <= 54, p >= 64 && p <= 79, p >= 80 && p <= 85:
		return "vocals"
	}
	return "other"
}

// realMIDI renders a real MIDI file per stem (channels split by their
// program), with the truth read from its tempo map, time signatures and notes.
// Such files carry no reliable key or section labels, so the truth has none.
func realMIDI(id, path string, r Renderer) Track {
	return Track{ID: id, make: func(ctx context.Context, dir string) (*Truth, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		d, events, err := midi.ParseEvents(bytes.NewReader(b), path, midi.Limits{})
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "song.mid"), b, 0o644); err != nil {
			return nil, err
		}
		stemOfChannel := channelStems(events)
		stemMIDI, err := splitByStem(d.File.TicksPerQuarter, events, stemOfChannel)
		if err != nil {
			return nil, err
		}
		tr := fileTruth(id, d, stemOfChannel)
		tr.Renderer = r.Name()
		h := fnv.New64a()
		h.Write([]byte(id))
		peakDB := 1 + 5*newRand(h.Sum64(), "level").Float64()
		if err := renderStems(ctx, dir, r, stemMIDI, peakDB, tr); err != nil {
			return nil, err
		}
		return tr, nil
	}}
}

// splitByStem writes one MIDI file per stem that has notes: every track
// keeps its meta and sysex events (tempo map, signatures) and the channel
// messages of the stem's channels.
func splitByStem(tpq int, events [][]midi.Event, stemOfChannel [16]string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, stem := range Stems {
		tracks := make([][]midi.Event, len(events))
		notes := 0
		for i, evs := range events {
			for _, e := range evs {
				if s := e.Data[0]; s < 0xF0 && stemOfChannel[s&0x0F] != stem {
					continue
				}
				if e.Data[0]&0xF0 == 0x90 && e.Data[2] > 0 {
					notes++
				}
				tracks[i] = append(tracks[i], e)
			}
		}
		if notes == 0 {
			continue
		}
		var buf bytes.Buffer
		if err := midi.Write(&buf, tpq, tracks...); err != nil {
			return nil, err
		}
		out[stem] = buf.Bytes()
	}
	return out, nil
}

// channelStems assigns each channel a stem from its first program change;
// channel 10 (index 9) is drums.
func channelStems(events [][]midi.Event) [16]string {
	var program [16]int
	for i := range program {
		program[i] = -1
	}
	for _, evs := range events {
		for _, e := range evs {
			if s := e.Data[0]; s&0xF0 == 0xC0 && program[s&0x0F] < 0 {
				program[s&0x0F] = int(e.Data[1])
			}
		}
	}
	var out [16]string
	for ch := range out {
		out[ch] = stemOfProgram(max(program[ch], 0))
	}
	out[9] = "drums"
	return out
}

// fileTruth reads beats, downbeats and onsets from a parsed file: bars run
// through the time signatures from the grid offset (gridOffset: where the
// notes sit, not tick 0), the tactus is the quarter note (the dotted quarter
// in 6/8, 9/8, 12/8), and beats continue to the end of the bar holding the
// last note onset.
func fileTruth(id string, d *midi.Data, stemOfChannel [16]string) *Truth {
	t := &Truth{ID: id, Kind: "midi", TempoKind: TempoSteady, Sections: []SectionTruth{}}
	if len(d.TempoChanges) > 1 {
		t.TempoKind = "map"
	}
	var last int64
	for _, tr := range d.Tracks {
		for _, n := range tr.Notes {
			last = max(last, n.Start)
		}
	}
	sigs := d.TimeSignatures
	if len(sigs) == 0 {
		sigs = []midi.TimeSignature{{Numerator: 4, Denominator: 4}}
	}
	tpq := int64(d.File.TicksPerQuarter)
	meter := func(s midi.TimeSignature) (beats int, beatTicks int64) {
		beats = s.Numerator
		if s.Denominator == 8 && s.Numerator%3 == 0 && s.Numerator > 3 {
			beats = s.Numerator / 3
		}
		bar := tpq * 4 * int64(s.Numerator) / int64(s.Denominator)
		return beats, bar / int64(beats)
	}
	first, firstTicks := meter(sigs[0])
	t.TimeSignature, t.BeatsPerBar = fmt.Sprintf("%d/%d", sigs[0].Numerator, sigs[0].Denominator), first
	for i, p := range d.TempoChanges {
		if i == 0 || p.Tick > 0 {
			t.TempoMap = append(t.TempoMap, TempoPoint{round6(p.Time), p.BPM * float64(tpq) / float64(firstTicks)})
		}
	}
	if len(t.TempoMap) == 0 {
		t.TempoMap = []TempoPoint{{0, 120 * float64(tpq) / float64(firstTicks)}}
	}
	t.BPM = t.TempoMap[0].BPM
	si := 0
	for tick := gridOffset(d); tick <= last; {
		for si+1 < len(sigs) && sigs[si+1].Tick <= tick {
			si++
		}
		beats, beatTicks := meter(sigs[si])
		t.Downbeats = append(t.Downbeats, round6(d.Seconds(tick)))
		for k := range beats {
			t.Beats = append(t.Beats, round6(d.Seconds(tick+int64(k)*beatTicks)))
			t.BeatPositions = append(t.BeatPositions, k+1)
		}
		tick += int64(beats) * beatTicks
	}
	t.Onsets, t.StemOnsets, t.Notes = onsetsByStem(d, func(tr midi.Track) string {
		if len(tr.Notes) == 0 {
			return ""
		}
		return stemOfChannel[tr.Channel]
	})
	return t
}

// gridOffset is how far the notes of a file sit after its notated grid, in
// ticks: the median offset of every note start from the nearest sixteenth
// note. Some files place every note a fixed few ticks late (planetblupi's
// music004–009 by 18–20 ticks of 192, 45–60 ms), so a grid from tick 0
// would score beats that are on the notes as 60 ms early.
func gridOffset(d *midi.Data) int64 {
	sixteenth := max(int64(d.File.TicksPerQuarter)/4, 1)
	var offsets []int64
	for _, tr := range d.Tracks {
		for _, n := range tr.Notes {
			r := n.Start % sixteenth
			if 2*r >= sixteenth {
				r -= sixteenth
			}
			offsets = append(offsets, r)
		}
	}
	if len(offsets) == 0 {
		return 0
	}
	slices.Sort(offsets)
	return max(offsets[len(offsets)/2], 0)
}
