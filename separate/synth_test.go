package separate

import (
	"math"
	"math/rand/v2"

	"phonoglyph/wavtest"
)

// sourceNames are the sources of the synthetic mix, each the reference of
// the 5stems stem of the same name.
var sourceNames = []string{"vocals", "drums", "bass", "piano", "other"}

// mixture is a synthetic stereo mix whose sources are known.
type mixture struct {
	rate    int
	sources map[string][]float32 // interleaved stereo, as mixed
	wav     []byte               // the mix, 16-bit stereo
	mix     []float32            // the mix as the decoder reads it
}

// reference returns the reference of stem for a variant: the sources a stem
// should hold, summed (accompaniment is all but vocals; 4stems other is piano
// and other).
func (m mixture) reference(variant, stem string) []float32 {
	var parts []string
	switch {
	case stem == "accompaniment":
		parts = []string{"drums", "bass", "piano", "other"}
	case stem == "other" && variant == "4stems":
		parts = []string{"piano", "other"}
	default:
		parts = []string{stem}
	}
	sum := make([]float32, len(m.mix))
	for _, p := range parts {
		for i, v := range m.sources[p] {
			sum[i] += v
		}
	}
	return sum
}

// synthMix builds seconds of a 120 BPM stereo mix at rate Hz:
//
//   - drums (centred): kick (150→45 Hz sweep and click) on beats 1 and 3,
//     snare (noise and 190 Hz) on 2 and 4, noise hi-hat on eighths;
//   - bass (centred): sine and octave, E1–D2 (41–73 Hz), a note per beat;
//   - vocals (centred, identical in L and R): 294–440 Hz with 2 harmonics and
//     5.5 Hz ±1.2% vibrato, a note per second;
//   - piano (panned 0.85/0.35 left): decaying triads of 4 partials, C3–E4,
//     every 2 s;
//   - other (panned 0.3/0.9 right): a sustained high triad (1.6–2.6 kHz, 2
//     partials), changing every 4 s.
//
// Levels (RMS): drums and bass 0.12, vocals 0.10, piano 0.07, other 0.05,
// scaled together so that the mix peaks at 0.9 at most.
func synthMix(rate int, seconds float64) mixture {
	n := int(seconds * float64(rate))
	sr := float64(rate)
	rng := rand.New(rand.NewPCG(1, 2))
	mono := func(f func(t float64) float64) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = f(float64(i) / sr)
		}
		return x
	}
	noise := func() float64 { return 2*rng.Float64() - 1 }

	drums := make([]float64, n)
	var kickPhase float64
	for i := range drums {
		t := float64(i) / sr
		if tk := math.Mod(t, 1); tk < 0.3 {
			kickPhase += 2 * math.Pi * (45 + 105*math.Exp(-tk/0.025)) / sr
			drums[i] += math.Exp(-tk/0.07)*math.Sin(kickPhase) + 0.5*math.Exp(-tk/0.001)*noise()
		} else {
			kickPhase = 0
		}
		if ts := math.Mod(t+0.5, 1); ts < 0.25 {
			drums[i] += 0.6*math.Exp(-ts/0.045)*noise() + 0.4*math.Exp(-ts/0.03)*math.Sin(2*math.Pi*190*ts)
		}
	}
	var prev float64
	for i := range drums {
		cur := noise()
		if th := math.Mod(float64(i)/sr, 0.25); th < 0.08 {
			drums[i] += 0.25 * math.Exp(-th/0.01) * (cur - prev)
		}
		prev = cur
	}

	bassNotes := []float64{41.2, 41.2, 55, 49, 61.7, 55, 73.4, 65.4}
	bass := mono(func(t float64) float64 {
		f := bassNotes[int(t/0.5)%len(bassNotes)]
		tn := math.Mod(t, 0.5)
		env := min(1, tn/0.01, (0.5-tn)/0.03)
		return env * (math.Sin(2*math.Pi*f*tn) + 0.35*math.Sin(4*math.Pi*f*tn))
	})

	vocalNotes := []float64{330, 392, 440, 392, 349, 330, 294, 330}
	var vocalPhase float64
	vocals := mono(func(t float64) float64 {
		f := vocalNotes[int(t)%len(vocalNotes)] * (1 + 0.012*math.Sin(2*math.Pi*5.5*t))
		vocalPhase += 2 * math.Pi * f / sr
		tn := math.Mod(t, 1)
		env := max(0, min(1, tn/0.06, (0.9-tn)/0.08))
		return env * (math.Sin(vocalPhase) + 0.5*math.Sin(2*vocalPhase) + 0.25*math.Sin(3*vocalPhase))
	})

	chords := [][]float64{{261.6, 329.6, 392}, {220, 261.6, 329.6}, {174.6, 220, 261.6}, {196, 246.9, 293.7}}
	piano := mono(func(t float64) float64 {
		tn := math.Mod(t, 2)
		var v float64
		for _, f := range chords[int(t/2)%len(chords)] {
			for k := 1.0; k <= 4; k++ {
				v += math.Exp(-tn*k/0.8) / (k * k) * math.Sin(2*math.Pi*k*f*tn)
			}
		}
		return min(1, tn/0.003) * v
	})

	pads := [][]float64{{1760, 2217, 2637}, {1568, 1976, 2349}}
	other := mono(func(t float64) float64 {
		tn := math.Mod(t, 4)
		env := min(1, tn/0.2, (4-tn)/0.2)
		var v float64
		for _, f := range pads[int(t/4)%len(pads)] {
			v += math.Sin(2*math.Pi*f*t) + 0.3*math.Sin(4*math.Pi*f*t)
		}
		return env * v
	})

	type source struct {
		x           []float64
		rms, gl, gr float64
	}
	sources := map[string]source{
		"drums":  {drums, 0.12, 1, 1},
		"bass":   {bass, 0.12, 1, 1},
		"vocals": {vocals, 0.10, 1, 1},
		"piano":  {piano, 0.07, 0.85, 0.35},
		"other":  {other, 0.05, 0.3, 0.9},
	}
	stereo := make(map[string][]float64, len(sources))
	mix := make([]float64, 2*n)
	for name, s := range sources {
		var e float64
		for _, v := range s.x {
			e += v * v
		}
		g := s.rms / math.Sqrt(e/float64(n))
		st := make([]float64, 2*n)
		for i, v := range s.x {
			st[2*i] = g * s.gl * v
			st[2*i+1] = g * s.gr * v
			mix[2*i] += st[2*i]
			mix[2*i+1] += st[2*i+1]
		}
		stereo[name] = st
	}
	var peak float64
	for _, v := range mix {
		peak = max(peak, math.Abs(v))
	}
	scale := min(1, 0.9/peak)

	m := mixture{rate: rate, sources: make(map[string][]float32, len(sources)), mix: make([]float32, 2*n)}
	for name, st := range stereo {
		x := make([]float32, 2*n)
		for i, v := range st {
			x[i] = float32(v * scale)
		}
		m.sources[name] = x
	}
	pcm := make([]int16, 2*n)
	for i, v := range mix {
		pcm[i] = int16(math.Round(v * scale * 32768))
		m.mix[i] = float32(pcm[i]) / 32768
	}
	m.wav = wavtest.PCM16(rate, 2, pcm)
	return m
}
