package midi

import (
	"cmp"
	"slices"
	"sort"
)

// defaultTempo is the SMF tempo before the first set-tempo event: 500000 µs
// per quarter note (120 BPM).
const defaultTempo = 500000

// division is the header's time division.
type division struct {
	ticksPerQuarter int     // metrical time; for SMPTE, the 120 BPM equivalent
	ticksPerSecond  float64 // SMPTE time (frames per second × ticks per frame); 0 for metrical time
}

// segment is a stretch of constant tempo starting at tick (seconds sec).
type segment struct {
	tick int64
	sec  float64
	uspq int
}

// tempoMap converts ticks to seconds.
type tempoMap struct {
	div  division
	segs []segment // by tick, the first at tick 0
}

// newTempoMap builds the map of one timeline from its tempo events, which
// must be sorted by tick; of several events at one tick the last wins.
func newTempoMap(div division, events []tempoEvent) *tempoMap {
	m := &tempoMap{div: div, segs: []segment{{uspq: defaultTempo}}}
	for _, e := range events {
		last := &m.segs[len(m.segs)-1]
		if e.tick == last.tick {
			last.uspq = e.uspq
			continue
		}
		m.segs = append(m.segs, segment{tick: e.tick, sec: m.seconds(e.tick), uspq: e.uspq})
	}
	return m
}

// seconds converts an absolute tick (≥ 0) to seconds. With SMPTE division
// time is absolute and tempo events do not change it.
func (m *tempoMap) seconds(tick int64) float64 {
	if m.div.ticksPerSecond > 0 {
		return float64(tick) / m.div.ticksPerSecond
	}
	i := sort.Search(len(m.segs), func(i int) bool { return m.segs[i].tick > tick }) - 1
	s := m.segs[i]
	return s.sec + float64(tick-s.tick)*float64(s.uspq)/(1e6*float64(m.div.ticksPerQuarter))
}

// sortedTempos returns the tempo events of tracks on one tick axis, by tick;
// events at the same tick keep track order.
func sortedTempos(tracks []rawTrack) []tempoEvent {
	n := 0
	for _, t := range tracks {
		n += len(t.tempos)
	}
	all := make([]tempoEvent, 0, n)
	for _, t := range tracks {
		all = append(all, t.tempos...)
	}
	slices.SortStableFunc(all, func(a, b tempoEvent) int { return cmp.Compare(a.tick, b.tick) })
	return all
}
