package corpus

import (
	"cmp"
	"math"
	"slices"
)

// humanize moves every note by a player's timing error and varies its
// velocity: notes struck together in a part (a chord, a drum kit's limbs)
// share most of their offset. Timing errors are drawn in seconds, normally
// distributed with the part's s.d. and clipped at 2.5 s.d.; velocity varies
// by 6 %. The truth is read from the humanised MIDI, so it includes them.
func (s *song) humanize() {
	for vi := range s.voices {
		v := &s.voices[vi]
		r := newRand(s.spec.Seed, "humanize "+v.name)
		slices.SortStableFunc(v.notes, func(a, b note) int { return cmp.Compare(a.tick, b.tick) })
		var lastTick int64 = -1
		var shared float64
		for i := range v.notes {
			n := &v.notes[i]
			if n.tick != lastTick {
				lastTick = n.tick
				shared = clip(r.NormFloat64(), 2.5) * v.jitter
			}
			j := shared + clip(r.NormFloat64(), 2.5)*v.jitter/4
			n.tick = max(0, n.tick+int64(math.Round(j*s.ticksPerSecond(n.tick))))
			n.vel = velocity(float64(n.vel) * (1 + 0.06*clip(r.NormFloat64(), 2.5)))
		}
	}
}

func clip(x, lim float64) float64 { return math.Max(-lim, math.Min(lim, x)) }

// ticksPerSecond is the tick rate at tick t.
func (s *song) ticksPerSecond(t int64) float64 {
	u := s.tempo[0].uspq
	for _, p := range s.tempo {
		if p.tick > t {
			break
		}
		u = p.uspq
	}
	return tpq * 1e6 / float64(u)
}
