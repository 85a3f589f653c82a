package corpus

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Velocities of pattern characters.
var stepVelocity = map[byte]float64{'X': 118, 'x': 98, 'o': 56, 'C': 92, 'c': 70, 'A': 84, 'a': 66, 'P': 100}

// play turns the sections into notes for every voice.
func (s *song) play() {
	st := s.style
	programs := newRand(s.spec.Seed, "programs")
	pick := func(p Part) uint8 {
		if len(p.Programs) == 0 {
			return 0
		}
		return p.Programs[programs.IntN(len(p.Programs))]
	}
	drums := voice{stem: "drums", name: "drums", ch: 9, pan: 64, volume: 110, jitter: st.Drums.Jitter}
	bass := voice{stem: "bass", name: "bass", ch: 0, program: pick(st.Bass), pan: 64, volume: 105, jitter: st.Bass.Jitter}
	piano := voice{stem: "piano", name: "piano", ch: 1, program: pick(st.Piano), pan: 58, volume: 92, jitter: st.Piano.Jitter}
	lead := voice{stem: "vocals", name: "lead", ch: 4, program: pick(st.Lead), pan: 64, volume: 104, jitter: st.Lead.Jitter}
	others := make([]voice, len(st.Other))
	for i, p := range st.Other {
		others[i] = voice{stem: "other", name: "other" + string(rune('1'+i)), ch: uint8(2 + i), program: pick(p),
			pan: []uint8{40, 92}[i%2], volume: 88, jitter: p.Jitter, strum: p.Strum}
	}
	fills := newRand(s.spec.Seed, "fills")
	for i := range s.sections {
		x := &s.sections[i]
		a := x.levels
		melody := newRand(s.spec.Seed, "melody "+x.Label)
		prev := st.Lead.Center
		for b := x.Bar; b < x.Bar+x.Bars; b++ {
			last := b == x.Bar+x.Bars-1
			if a.drums >= 0 {
				s.drumBar(&drums, x, b, last && i+1 < len(s.sections), fills)
			}
			if a.bass >= 0 {
				s.pitchedBar(&bass, st.Bass, a.bass, x, b, a.dyn)
			}
			if a.piano >= 0 {
				s.pitchedBar(&piano, st.Piano, a.piano, x, b, a.dyn)
			}
			for j, lv := range []int{a.other0, a.other1} {
				if lv >= 0 && j < len(others) {
					s.pitchedBar(&others[j], st.Other[j], lv, x, b, a.dyn)
				}
			}
			if a.lead >= 0 {
				prev = s.leadBar(&lead, x, b, a, melody, prev)
			}
		}
	}
	s.finalChord(&drums, &bass, &piano, others)
	s.voices = append([]voice{drums, bass, lead, piano}, others...)
}

// stepTick returns the tick of step k of bar b, with the style's swing.
func (s *song) stepTick(b, k int) int64 {
	step := s.beatTicks / int64(s.meter.StepsPerBeat)
	t := s.barTick(b) + int64(k)*step
	if s.style.Swing > 0 && s.meter.StepsPerBeat == 4 && k%2 == 1 {
		t += int64(s.style.Swing * float64(step))
	}
	return t
}

// lanes splits a drum pattern into (key, steps) lanes.
func lanes(p string) [][2]string {
	var out [][2]string
	for _, l := range strings.Split(p, ";") {
		l = strings.TrimSpace(l)
		if name, steps, ok := strings.Cut(l, " "); ok {
			out = append(out, [2]string{name, steps})
		}
	}
	return out
}

// drumBar plays one bar of drums: the level's pattern, a crash on the
// section's first downbeat, a fill in its last bar, or the EDM snare build.
func (s *song) drumBar(v *voice, x *section, b int, fill bool, r *rand.Rand) {
	n := s.meter.steps()
	dyn := x.levels.dyn
	hit := func(k int, key uint8, vel float64) {
		v.notes = append(v.notes, note{tick: s.stepTick(b, k), dur: s.beatTicks / 4, key: key, vel: velocity(vel * dyn)})
	}
	if x.levels.drums == 3 { // build: snare density doubles through the section
		pos := float64(b-x.Bar) / float64(x.Bars)
		every := n / s.meter.BeatsPerBar // quarters
		switch {
		case pos >= 0.75:
			every = 1
		case pos >= 0.5:
			every = max(1, every/2)
		}
		for k := 0; k < n; k += every {
			hit(k, drumKeys['S'], 60+55*(pos+float64(k)/float64(n)/float64(x.Bars)))
			if pos < 0.5 && k%(n/s.meter.BeatsPerBar) == 0 {
				hit(k, drumKeys['K'], 100)
			}
		}
		return
	}
	fillFrom := n
	if fill && x.levels.drums >= 1 && r.Float64() < 0.6 {
		fillFrom = n - s.meter.StepsPerBeat // the last beat
	}
	for _, l := range lanes(s.style.Drums.Patterns[x.levels.drums]) {
		for k := range min(n, fillFrom) {
			key := drumKeys[l[0][0]]
			var vel float64
			switch c := l[1][k%len(l[1])]; c {
			case 'X', 'x', 'o':
				vel = stepVelocity[c]
			case 'O': // an open hi-hat inside a closed hi-hat lane
				key, vel = drumKeys['O'], 90
			default:
				continue
			}
			if lane := l[0][0]; (lane == 'H' || lane == 'R' || lane == 'A' || lane == 'G') && k%s.meter.StepsPerBeat != 0 {
				vel *= 0.82 // cymbals and shakers lean on the beat
			}
			hit(k, key, vel)
		}
	}
	for k := fillFrom; k < n; k++ {
		tom := []uint8{drumKeys['S'], drumKeys['t'], drumKeys['M'], drumKeys['T']}[(k-fillFrom)*4/max(1, n-fillFrom)]
		hit(k, tom, 85+30*float64(k-fillFrom)/float64(n-fillFrom))
	}
	if b == x.Bar && x.levels.drums >= 1 && r.Float64() < 0.8 {
		hit(0, drumKeys['C'], 105)
	}
}

// velocity clamps a velocity to 1..127.
func velocity(v float64) uint8 { return uint8(math.Round(math.Min(127, math.Max(1, v)))) }

// voicing returns the keys of chord c near center.
func (s *song) voicing(c Chord, center int) []int {
	tonic := s.spec.Key.Tonic
	var keys []int
	for _, iv := range c.Intervals {
		keys = append(keys, nearest((tonic+c.Root+iv)%12, center))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// pitchedBar plays one bar of a pitched part's pattern.
func (s *song) pitchedBar(v *voice, p Part, level int, x *section, b int, dyn float64) {
	pat := p.Patterns[level]
	if pat == "" {
		return
	}
	short := strings.HasPrefix(pat, "!")
	pat = strings.TrimPrefix(pat, "!")
	n := s.meter.steps()
	chords := x.chordsAt(b)
	next := s.nextChord(x, b)
	arp := 0
	type started struct {
		idx  []int // indexes into v.notes
		step int
	}
	var open started
	closeAt := func(k int) {
		end := s.stepTick(b, k)
		if short {
			end = min(end, s.stepTick(b, open.step)+s.beatTicks/int64(s.meter.StepsPerBeat)/2)
		}
		for _, i := range open.idx {
			v.notes[i].dur = max(1, end-v.notes[i].tick)
		}
		open.idx = nil
	}
	for k := range n {
		c := pat[k%len(pat)]
		if c == '-' {
			continue
		}
		if open.idx != nil {
			closeAt(k)
		}
		if c == '.' {
			continue
		}
		ch := chords[k*len(chords)/n]
		root := nearest((s.spec.Key.Tonic+ch.Root)%12, p.Center)
		var keys []int
		vel := stepVelocity[c]
		switch c {
		case 'C', 'c':
			keys = s.voicing(ch, p.Center)
			if v.stem == "piano" {
				keys = append([]int{root - 12}, keys...)
			}
		case 'A', 'a':
			vs := s.voicing(ch, p.Center)
			vs = append([]int{root - 12}, append(vs, vs[0]+12)...)
			keys = []int{vs[arp%len(vs)]}
			arp++
		case 'P':
			keys = []int{root, root + 7, root + 12}
		case 'R', '5', '8', '3', '6', '7', 'N':
			vel = 96
			switch c {
			case '5':
				root += 7
			case '8':
				root += 12
			case '3':
				root += ch.Intervals[1]
			case '6':
				root += 9
			case '7':
				if len(ch.Intervals) > 3 {
					root += ch.Intervals[3]
				} else {
					root += 10
				}
			case 'N':
				root = nearest((s.spec.Key.Tonic+next.Root)%12, p.Center) - 1
			}
			keys = []int{root}
		default:
			continue
		}
		open = started{step: k}
		for j, key := range keys {
			open.idx = append(open.idx, len(v.notes))
			v.notes = append(v.notes, note{tick: s.stepTick(b, k) + int64(j)*s.strumTicks(v), key: uint8(key), vel: velocity(vel * dyn)})
		}
	}
	if open.idx != nil {
		closeAt(n)
	}
}

// strumTicks is the delay between a guitar chord's notes, in ticks at the
// first tempo (a few ms; the tempo map changes it by at most a fifth).
func (s *song) strumTicks(v *voice) int64 {
	return int64(v.strum * 1e6 / float64(s.tempo[0].uspq) * tpq)
}

// nextChord returns the first chord after bar b.
func (s *song) nextChord(x *section, b int) Chord {
	if b+1 < x.Bar+x.Bars {
		return x.chordsAt(b + 1)[0]
	}
	for i := range s.sections {
		if s.sections[i].Bar == b+1 {
			return s.sections[i].chordsAt(b + 1)[0]
		}
	}
	return Chord{Root: 0, Intervals: []int{0, 4, 7}}
}

// leadBar plays one bar of the lead line and returns its last key. The
// melody comes from the section label's own generator, so repeated
// sections repeat their tune; chord tones fall on beats, scale steps between.
func (s *song) leadBar(v *voice, x *section, b int, a arrangement, r *rand.Rand, prev int) int {
	lp := s.style.Lead
	rhythm := lp.Patterns[a.lead]
	if (b-x.Bar)%2 == 1 {
		rhythm = lp.Patterns[(a.lead+1)%3]
	}
	if (b-x.Bar)%4 == 3 {
		rhythm = rhythm[:1] + strings.Repeat("-", max(0, len(rhythm)/2-1)) + strings.Repeat(".", len(rhythm)-len(rhythm)/2)
	}
	center := lp.Center
	if x.Label == "chorus" || x.Label == "drop" {
		center += 3
	}
	k := s.spec.Key
	scale := k.scale()
	var keys []int
	for key := center - 8; key <= center+9; key++ {
		if slices.Contains(scale, ((key-k.Tonic)%12+12)%12) {
			keys = append(keys, key)
		}
	}
	prevIdx := 0
	for i, key := range keys {
		if abs(key-prev) < abs(keys[prevIdx]-prev) {
			prevIdx = i
		}
	}
	n := s.meter.steps()
	chords := x.chordsAt(b)
	var openIdx = -1
	for j := range n {
		c := rhythm[j%len(rhythm)]
		if c == '-' {
			continue
		}
		if openIdx >= 0 {
			v.notes[openIdx].dur = max(1, s.stepTick(b, j)-v.notes[openIdx].tick-tpq/32)
			openIdx = -1
		}
		if c != 'x' {
			continue
		}
		ch := chords[j*len(chords)/n]
		if j%s.meter.StepsPerBeat == 0 { // on a beat: the nearest chord tone after a small move
			target := keys[prevIdx] + r.IntN(7) - 3
			best := -1
			for i, key := range keys {
				pc := ((key-k.Tonic-ch.Root)%12 + 12) % 12
				if slices.Contains(ch.Intervals, pc) && (best < 0 || abs(key-target) < abs(keys[best]-target)) {
					best = i
				}
			}
			if best >= 0 {
				prevIdx = best
			}
		} else {
			prevIdx = min(len(keys)-1, max(0, prevIdx+[]int{-2, -1, -1, 1, 1, 2}[r.IntN(6)]))
		}
		openIdx = len(v.notes)
		v.notes = append(v.notes, note{tick: s.stepTick(b, j), key: uint8(keys[prevIdx]), vel: velocity((86 + 10*r.Float64()) * a.dyn)})
	}
	if openIdx >= 0 {
		v.notes[openIdx].dur = max(1, s.barTick(b+1)-v.notes[openIdx].tick-tpq/32)
	}
	return keys[prevIdx]
}

// finalChord ends the song on the tonic: one bar after the last section,
// held by bass, piano and the first other part, with a last crash.
func (s *song) finalChord(drums, bass, piano *voice, others []voice) {
	t := s.barTick(s.bars)
	if s.sections[len(s.sections)-1].levels.drums >= 0 {
		drums.notes = append(drums.notes, note{tick: t, dur: tpq / 4, key: drumKeys['K'], vel: 100},
			note{tick: t, dur: tpq / 4, key: drumKeys['C'], vel: 100})
	}
	tonic := Chord{Root: 0, Intervals: []int{0, 4, 7}}
	if s.spec.Key.Minor {
		tonic.Intervals = []int{0, 3, 7}
	}
	dur := s.barTicks()
	bass.notes = append(bass.notes, note{tick: t, dur: dur, key: uint8(nearest(s.spec.Key.Tonic, s.style.Bass.Center)), vel: 90})
	targets := []*voice{piano}
	centers := []int{s.style.Piano.Center}
	if len(others) > 0 {
		targets, centers = append(targets, &others[0]), append(centers, s.style.Other[0].Center)
	}
	for i, v := range targets {
		if centers[i] == 0 {
			continue
		}
		for _, key := range s.voicing(tonic, centers[i]) {
			v.notes = append(v.notes, note{tick: t, dur: dur, key: uint8(key), vel: 84})
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
