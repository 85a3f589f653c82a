package dsp

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// Test material synthesised in Go: mono or stereo float32 signals at a rate.

type signal struct {
	rate, ch int
	s        []float32 // interleaved
}

func newSignal(rate, ch int, seconds float64) *signal {
	return &signal{rate: rate, ch: ch, s: make([]float32, int(seconds*float64(rate))*ch)}
}

func (g *signal) frames() int { return len(g.s) / g.ch }

// addMono adds v(i) to every channel of frame i for i in [start, start+n).
func (g *signal) addMono(start, n int, v func(i int) float64) {
	for i := max(0, start); i < min(g.frames(), start+n); i++ {
		x := float32(v(i - start))
		for c := range g.ch {
			g.s[i*g.ch+c] += x
		}
	}
}

// wav encodes the signal as a 32-bit float WAV.
func (g *signal) wav() []byte { return pcmWAV(tagFloat, 32, g.ch, g.rate, encF32(g.s...)) }

// click is a 30 ms 1500 Hz sine burst with a 1 ms attack (sox's recipe).
func click(rate int, amp float64) (int, func(int) float64) {
	n := int(0.03 * float64(rate))
	return n, func(i int) float64 {
		t := float64(i) / float64(rate)
		env := math.Min(1, t/0.001) * math.Min(1, (0.03-t)/0.001)
		return amp * env * math.Sin(2*math.Pi*1500*t)
	}
}

// kick is a sine sweeping 150→50 Hz in 120 ms, decaying by e every 50 ms.
func kick(rate int, amp float64) (int, func(int) float64) {
	n := int(0.4 * float64(rate))
	return n, func(i int) float64 {
		t := float64(i) / float64(rate)
		ts := min(t, 0.12)
		ph := 2 * math.Pi * (150*ts - 100*ts*ts/0.24 + 50*(t-ts))
		return amp * math.Min(1, t/0.002) * math.Exp(-t/0.05) * math.Sin(ph)
	}
}

// noiseHit is decaying white noise, high-passed by first differences for a
// hat (hp) or band-limited by a one-pole low-pass for a snare.
func noiseHit(rate int, amp, decay float64, hat bool, seed uint64) (int, func(int) float64) {
	n := int(5 * decay * float64(rate))
	rng := rand.New(rand.NewPCG(seed, 7))
	buf := make([]float64, n)
	prev, lp := 0.0, 0.0
	for i := range buf {
		w := rng.Float64()*2 - 1
		t := float64(i) / float64(rate)
		env := math.Min(1, t/0.001) * math.Exp(-t/decay)
		if hat {
			buf[i] = amp * env * (w - prev) / 2
		} else {
			lp += 0.5 * (w - lp)
			buf[i] = amp * env * (lp + 0.5*math.Sin(2*math.Pi*200*t))
		}
		prev = w
	}
	return n, func(i int) float64 { return buf[i] }
}

// clickTrack returns clicks every 60/bpm s starting at offset and the truth.
func clickTrack(rate int, bpm, seconds, offset float64) (*signal, []float64) {
	g := newSignal(rate, 1, seconds)
	var truth []float64
	n, f := click(rate, 0.5)
	for t := offset; t < seconds-0.05; t += 60 / bpm {
		g.addMono(int(math.Round(t*float64(rate))), n, f)
		truth = append(truth, t)
	}
	return g, truth
}

// drumPattern is a rock beat at bpm: kick on beats 1 and 3, snare on 2 and
// 4, a closed hat on every beat and a softer one on every off-beat.
func drumPattern(rate int, bpm, seconds float64, offbeats *[]float64) (*signal, []float64) {
	g := newSignal(rate, 2, seconds)
	var truth []float64
	beat := 60 / bpm
	kn, kf := kick(rate, 0.7)
	sn, sf := noiseHit(rate, 0.5, 0.04, false, 1)
	hn, hf := noiseHit(rate, 0.3, 0.01, true, 2)
	on, of := noiseHit(rate, 0.12, 0.01, true, 3)
	for k := 0; float64(k)*beat < seconds-0.2; k++ {
		t := float64(k) * beat
		at := int(math.Round(t * float64(rate)))
		if k%2 == 0 {
			g.addMono(at, kn, kf)
		} else {
			g.addMono(at, sn, sf)
		}
		g.addMono(at, hn, hf)
		g.addMono(at+int(beat/2*float64(rate)), on, of)
		truth = append(truth, t)
		*offbeats = append(*offbeats, t+beat/2)
	}
	return g, truth
}

// tone is a stereo sine at freq with peak amplitude 10^(dbfs/20).
func tone(rate, ch int, freq, dbfs, seconds float64) *signal {
	g := newSignal(rate, ch, seconds)
	a := math.Pow(10, dbfs/20)
	g.addMono(0, g.frames(), func(i int) float64 { return a * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)) })
	return g
}

// triads plays a progression of major or minor triads (root MIDI notes),
// each for dur seconds, with three harmonics per note.
func triads(rate int, roots []int, minor []bool, dur float64) *signal {
	g := newSignal(rate, 1, dur*float64(len(roots)))
	for j, r := range roots {
		third := 4
		if minor[j] {
			third = 3
		}
		for _, m := range []int{r, r + third, r + 7} {
			f := 440 * math.Pow(2, float64(m-69)/12)
			g.addMono(int(float64(j)*dur*float64(rate)), int(dur*float64(rate)), func(i int) float64 {
				t := float64(i) / float64(rate)
				env := math.Min(1, t/0.01) * math.Min(1, (dur-t)/0.01)
				return env * 0.1 * (math.Sin(2*math.Pi*f*t) + 0.5*math.Sin(4*math.Pi*f*t) + 0.25*math.Sin(6*math.Pi*f*t))
			})
		}
	}
	return g
}

// analyzeWAV runs Open + Analyze on WAV bytes.
func analyzeWAV(t testing.TB, wav []byte, opt Options) *Analysis {
	t.Helper()
	d, c, err := Open(bytes.NewReader(wav), "t.wav", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := Analyze(d, opt)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// fMeasure is mir_eval's F-measure with one-to-one matching within ±tol
// (greedy matching of sorted times, optimal in one dimension).
func fMeasure(ref, est []float64, tol float64) float64 {
	if len(ref) == 0 && len(est) == 0 {
		return 1
	}
	if len(ref) == 0 || len(est) == 0 {
		return 0
	}
	i, j, hits := 0, 0, 0
	for i < len(ref) && j < len(est) {
		switch d := est[j] - ref[i]; {
		case math.Abs(d) <= tol:
			hits++
			i++
			j++
		case d < 0:
			j++
		default:
			i++
		}
	}
	p := float64(hits) / float64(len(est))
	r := float64(hits) / float64(len(ref))
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// trim drops times before 5 s (mir_eval's beat convention).
func trim(v []float64) []float64 {
	var out []float64
	for _, t := range v {
		if t >= 5 {
			out = append(out, t)
		}
	}
	return out
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 11)) }

func isErr(err, target error) bool { return err != nil && errors.Is(err, target) }
