package corpus

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// tpq is the MIDI resolution of generated songs: at 180 BPM one tick is
// 0.35 ms, fine enough for humanised timing.
const tpq = 960

// Tempo map kinds of generated songs.
const (
	TempoSteady = "steady" // one tempo
	TempoDrift  = "drift"  // a live band's slow drift, within ±0.6 %
	TempoAccel  = "accel"  // accelerando over 8 bars to +12 %, kept to the end
	TempoRit    = "rit"    // ritardando to −20 % over the outro
	TempoStep   = "step"   // a step change (×1.12 or ×0.88) at a section boundary
)

// Spec is everything a generated track is made from; the same Spec always
// gives the same MIDI and, with the same renderer, the same audio.
type Spec struct {
	ID       string
	Style    string
	Seed     uint64
	BPM      float64 // tactus tempo; 0 = drawn from the style's range
	Key      Key
	Tempo    string     // a Tempo* kind; "" = steady
	Seconds  [2]float64 // duration range the form is fitted to; zero = 60..180 s
	Renderer Renderer
}

// note is a note on the tick axis.
type note struct {
	tick, dur int64
	key, vel  uint8
}

// voice is one MIDI part of a song (a stem can hold two: guitar and strings).
type voice struct {
	stem, name    string
	ch, program   uint8
	pan, volume   uint8
	notes         []note
	jitter, strum float64
}

// section is a stretch of bars with one arrangement.
type section struct {
	Label       string
	Bar, Bars   int
	levels      arrangement
	progression [][]Chord
}

// tempoPoint is a set-tempo event.
type tempoPoint struct {
	tick int64
	uspq int
}

// song is an arranged track before rendering.
type song struct {
	spec      Spec
	style     *Style
	meter     Meter
	beatTicks int64
	leadIn    int64 // ticks of silence before the first downbeat
	bars      int
	tempo     []tempoPoint
	sections  []section
	voices    []voice
}

// Stems are the stem names, in the order of the separator's 5-stem model.
var Stems = []string{"drums", "bass", "vocals", "piano", "other"}

// arrangement is the level (-1 off, 0..2) of each part in a section, and
// its dynamics (velocity scale).
type arrangement struct {
	drums, bass, piano, other0, other1, lead int
	dyn                                      float64
}

// labelArrangements is the starting arrangement of each section label.
var labelArrangements = map[string]arrangement{
	"intro":  {0, -1, 0, 0, -1, -1, 0.7},
	"verse":  {1, 1, 1, 0, -1, 1, 0.8},
	"pre":    {1, 1, 1, 1, -1, 1, 0.86},
	"chorus": {2, 2, 2, 2, 2, 2, 1.0},
	"bridge": {1, 1, 1, 1, 2, 1, 0.85},
	"break":  {-1, -1, 0, 0, 2, -1, 0.6},
	"solo":   {2, 2, 2, 1, -1, 2, 0.95},
	"outro":  {0, 0, 0, 0, 2, -1, 0.68},
	"build":  {3, -1, 1, 1, 2, -1, 0.8}, // drums 3: the EDM snare build
	"drop":   {2, 2, -1, 2, 2, 2, 1.0},
}

// newRand returns the generator of one concern of a song, so adding a draw
// to one concern never changes another's.
func newRand(seed uint64, concern string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(concern))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// arrange builds a song from its spec.
func arrange(spec Spec) (*song, error) {
	st, ok := styleByName(spec.Style)
	if !ok {
		return nil, fmt.Errorf("corpus: unknown style %q", spec.Style)
	}
	if spec.Seconds == [2]float64{} {
		spec.Seconds = [2]float64{60, 180}
	}
	r := newRand(spec.Seed, "song")
	if spec.BPM == 0 {
		spec.BPM = math.Round(st.BPM[0] + r.Float64()*(st.BPM[1]-st.BPM[0]))
	}
	if len(st.Major) == 0 {
		spec.Key.Minor = true
	}
	if spec.Tempo == "" {
		spec.Tempo = TempoSteady
	}
	s := &song{spec: spec, style: st, meter: st.Meter, beatTicks: st.Meter.beatTicks()}
	s.leadIn = tpq // one quarter of silence, so early humanised notes stay after 0
	if err := s.form(r); err != nil {
		return nil, err
	}
	s.tempoMap(newRand(spec.Seed, "tempo"))
	s.play()
	return s, nil
}

// barTicks is the length of a bar.
func (s *song) barTicks() int64 { return s.beatTicks * int64(s.meter.BeatsPerBar) }

// barTick is the tick of bar b's downbeat.
func (s *song) barTick(b int) int64 { return s.leadIn + int64(b)*s.barTicks() }

// form draws the form, fits it to the duration range, chooses progressions
// and the arrangement of each section.
func (s *song) form(r *rand.Rand) error {
	st := s.style
	var secs []section
	for _, f := range strings.Fields(st.Forms[r.IntN(len(st.Forms))]) {
		label, bars, ok := strings.Cut(f, ":")
		n, err := strconv.Atoi(bars)
		if !ok || err != nil || n <= 0 {
			return fmt.Errorf("corpus: style %s: bad form entry %q", st.Name, f)
		}
		secs = append(secs, section{Label: label, Bars: n})
	}
	barSec := 60 / s.spec.BPM * float64(s.meter.BeatsPerBar)
	total := func() float64 {
		n := 0
		for _, x := range secs {
			n += x.Bars
		}
		return float64(n) * barSec
	}
	// Too long: drop sections from the middle (keep intro, last two).
	for total() > s.spec.Seconds[1] && len(secs) > 3 {
		i := 1 + r.IntN(len(secs)-3)
		secs = append(secs[:i], secs[i+1:]...)
	}
	for total() > s.spec.Seconds[1] {
		shrunk := false
		for i := range secs {
			if secs[i].Bars >= 8 {
				secs[i].Bars /= 2
				shrunk = true
			}
		}
		if !shrunk {
			break
		}
	}
	// Too short: repeat the body (all but intro and outro) before the outro.
	for total() < s.spec.Seconds[0] && len(secs) >= 2 {
		body := append([]section(nil), secs[1:len(secs)-1]...)
		if len(body) == 0 {
			body = secs[:1]
		}
		out := secs[len(secs)-1]
		secs = append(append(secs[:len(secs)-1], body...), out)
	}
	// Progressions: one per label (the bridge and solo differ from the verse).
	progs := st.Major
	if s.spec.Key.Minor {
		progs = st.MinorP
	}
	parsed := make([][][]Chord, len(progs))
	for i, p := range progs {
		bars, err := parseProgression(p)
		if err != nil {
			return fmt.Errorf("corpus: style %s: %w", st.Name, err)
		}
		parsed[i] = bars
	}
	first := r.IntN(len(parsed))
	byLabel := map[string]int{}
	arr := map[string]arrangement{}
	for _, x := range secs {
		if _, ok := byLabel[x.Label]; ok {
			continue
		}
		switch x.Label {
		case "bridge", "solo", "break":
			byLabel[x.Label] = (first + 1 + r.IntN(len(parsed))) % len(parsed)
		default:
			byLabel[x.Label] = first
		}
		arr[x.Label] = s.vary(labelArrangements[x.Label], r)
	}
	// Place sections; merge a section into the previous one when the
	// arrangement does not change (no boundary a listener would hear).
	bar := 0
	var out []section
	for _, x := range secs {
		x.Bar, x.levels, x.progression = bar, arr[x.Label], parsed[byLabel[x.Label]]
		bar += x.Bars
		if n := len(out); n > 0 && out[n-1].levels == x.levels {
			out[n-1].Bars += x.Bars
			continue
		}
		out = append(out, x)
	}
	s.sections, s.bars = out, bar
	return nil
}

// vary draws a song's own version of a label's arrangement: optional parts
// drop out, and parts the style does not have are off.
func (s *song) vary(a arrangement, r *rand.Rand) arrangement {
	st := s.style
	drop := func(l *int, p float64) {
		if *l >= 0 && r.Float64() < p {
			*l = -1
		}
	}
	drop(&a.piano, 0.2)
	drop(&a.other0, 0.15)
	drop(&a.other1, 0.3)
	if a.drums == 0 {
		drop(&a.drums, 0.3)
	}
	if !has(st.Piano) {
		a.piano = -1
	}
	if len(st.Other) < 1 || !has(st.Other[0]) {
		a.other0 = -1
	}
	if len(st.Other) < 2 || !has(st.Other[1]) {
		a.other1 = -1
	}
	if a.piano < 0 && a.other0 < 0 && a.other1 < 0 && len(st.Other) > 0 {
		a.other0 = 0 // keep some harmony in every section
	}
	a.dyn *= 0.95 + 0.1*r.Float64()
	return a
}

// has reports whether a style plays the part at all.
func has(p Part) bool { return p.Patterns != [3]string{} }

// tempoMap builds the tempo events of the song's tempo kind.
func (s *song) tempoMap(r *rand.Rand) {
	quartersPerBeat := float64(s.beatTicks) / tpq
	uspq := func(bpm float64) int { return int(math.Round(60e6 / (bpm * quartersPerBeat))) }
	base := s.spec.BPM
	beats := s.bars * s.meter.BeatsPerBar
	perBeat := func(f func(b int) float64) {
		s.tempo = []tempoPoint{{0, uspq(f(0))}}
		for b := range beats {
			u := uspq(f(b))
			if u != s.tempo[len(s.tempo)-1].uspq {
				s.tempo = append(s.tempo, tempoPoint{s.leadIn + int64(b)*s.beatTicks, u})
			}
		}
	}
	ramp := func(b, from, n int, to float64) float64 {
		x := math.Min(math.Max(float64(b-from)/float64(n), 0), 1)
		return base * (1 + (to-1)*x)
	}
	switch s.spec.Tempo {
	case TempoDrift:
		phase, period := r.Float64()*2*math.Pi, float64(beats)/(1.5+r.Float64()*2)
		perBeat(func(b int) float64 { return base * (1 + 0.006*math.Sin(2*math.Pi*float64(b)/period+phase)) })
	case TempoAccel:
		from := s.sections[len(s.sections)*2/3].Bar * s.meter.BeatsPerBar
		perBeat(func(b int) float64 { return ramp(b, from, 8*s.meter.BeatsPerBar, 1.12) })
	case TempoRit:
		last := s.sections[len(s.sections)-1]
		from := last.Bar * s.meter.BeatsPerBar
		perBeat(func(b int) float64 { return ramp(b, from, last.Bars*s.meter.BeatsPerBar, 0.8) })
	case TempoStep:
		at := s.sections[len(s.sections)/2].Bar
		f := 1.12
		if r.IntN(2) == 0 {
			f = 0.88
		}
		s.tempo = []tempoPoint{{0, uspq(base)}, {s.barTick(at), uspq(base * f)}}
	default:
		s.tempo = []tempoPoint{{0, uspq(base)}}
	}
}

// chordsAt returns the chords of bar b of section x.
func (x *section) chordsAt(b int) []Chord { return x.progression[(b-x.Bar)%len(x.progression)] }
