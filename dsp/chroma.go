package dsp

import (
	"math"
	"slices"
)

// Chroma analysis: a longer window than the feature frames resolves
// semitones in octaves 2–4 (at 44.1 kHz a 4096-point FFT has 10.8 Hz bins).
const (
	chromaSize    = 4096 // FFT size
	chromaEvery   = 8    // computed every 8 feature frames (4096 samples)
	chromaMinHz   = 55   // A1
	chromaMaxHz   = 5000 //
	chromaTuneA4  = 440.0
	chromaClasses = 12

	// The key chroma uses tonal peaks only: local maxima of the
	// spectrum between keyMinHz and keyMaxHz within keyFloor of the frame's
	// strongest peak, each adding its magnitude (not power) weighted by
	// cos² of its distance from the nearest semitone centre.
	keyMinHz = 55   // A1
	keyMaxHz = 2000 // B6
	keyFloor = 1e-6 // power, −60 dB

	// Peaks under keyBassHz (the bass register, up to G3) count
	// keyBassWeight times: the bass plays chord roots and the tonic.
	keyBassHz     = 200
	keyBassWeight = 1.5
)

// ChromaEvery is the spacing, in analysis frames, of the chroma frames:
// Analysis.Chroma and Analysis.Pitch have one entry per chroma frame.
const ChromaEvery = chromaEvery

// PitchClasses names the pitch classes 0..11 (C = 0).
var PitchClasses = [chromaClasses]string{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}

// chroma folds a 4096-point power spectrum into 12 pitch classes.
type chroma struct {
	stft     *stft
	pow      []float64
	lo       int    // first bin used
	class    []int8 // pitch class of bins lo..
	rate     float64
	klo, khi int     // key peak bins klo..khi
	kbass    float64 // bin of keyBassHz
	// keys is the key chroma of every chroma frame (estimateKey), not
	// normalised: a row's sum is the frame's tonal weight.
	keys [][chromaClasses]float32
	// upper is the chroma of every chroma frame above the bass register
	// (bins from upperLo), max-normalised.
	upper   [][chromaClasses]float32
	upperLo int
}

func newChroma(rate int) *chroma {
	c := &chroma{stft: newSTFT(chromaSize), pow: make([]float64, chromaSize/2+1)}
	c.lo = int(math.Ceil(chromaMinHz * chromaSize / float64(rate)))
	hi := min(chromaSize/2, int(chromaMaxHz*chromaSize/float64(rate)))
	for k := c.lo; k <= hi; k++ {
		f := float64(k) * float64(rate) / chromaSize
		midi := 69 + 12*math.Log2(f/chromaTuneA4)
		pc := (int(math.Round(midi))%12 + 12) % 12
		c.class = append(c.class, int8(pc))
	}
	c.klo = max(1, int(math.Ceil(keyMinHz*chromaSize/float64(rate))))
	c.khi = min(chromaSize/2-1, int(keyMaxHz*chromaSize/float64(rate)))
	c.kbass = keyBassHz * chromaSize / float64(rate)
	c.upperLo = int(math.Ceil(keyBassHz * chromaSize / float64(rate)))
	c.rate = float64(rate)
	return c
}

// compute writes the max-normalised chroma of the frame (chromaSize samples)
// into out, returns the dominant class and its share of the chroma energy,
// and appends the frame's key chroma (addKey) and its chroma above the bass
// register (to upper).
func (c *chroma) compute(frame []float32, out *[chromaClasses]float32) (int, float32) {
	c.stft.power(frame, c.pow)
	var raw, up [chromaClasses]float64
	for i, pc := range c.class {
		raw[pc] += c.pow[c.lo+i]
		if c.lo+i >= c.upperLo {
			up[pc] += c.pow[c.lo+i]
		}
	}
	var row [chromaClasses]float32
	if m := slices.Max(up[:]); m > 1e-12 {
		for i, v := range up {
			row[i] = float32(v / m)
		}
	}
	c.upper = append(c.upper, row)
	var mx, sum float64
	best := 0
	for i, v := range raw {
		sum += v
		if v > mx {
			mx, best = v, i
		}
	}
	c.addKey()
	if mx <= 1e-12 {
		*out = [chromaClasses]float32{}
		return 0, 0
	}
	for i, v := range raw {
		out[i] = float32(v / mx)
	}
	return best, float32(mx / sum)
}

// addKey appends the tonal-peak chroma of the frame in c.pow to c.keys
// (zeros for a frame without tonal peaks). Magnitudes rather than powers
// keep one loud partial from outweighing the rest of a chord (a power chroma of test180's C–E–G,
// whose G is 6 dB louder, matched G major). Peak picking leaves out the
// skirts of a kick's sweep and window leakage, and the semitone weighting
// discounts partials between semitones (a 1.5 kHz click, 0.23 semitone
// above F♯6, counts 0.56). Bass peaks count 1.5 times. A peak counts for
// its own pitch class only: crediting it also to the notes it can be a
// harmonic of moves weight to the subdominant on every track; the key
// profiles model the harmonics instead (keyFifthHarmonic).
func (c *chroma) addKey() {
	pw := c.pow
	var top float64
	for k := c.klo; k <= c.khi; k++ {
		top = max(top, pw[k])
	}
	var row [chromaClasses]float32
	if !(top > 1e-12) {
		c.keys = append(c.keys, row)
		return
	}
	floor := top * keyFloor
	for k := c.klo; k <= c.khi; k++ {
		p := pw[k]
		if p < floor || !(p > pw[k-1] && p >= pw[k+1]) {
			continue
		}
		// Parabolic interpolation of the log power around the peak.
		a, b, g := math.Log(pw[k-1]+1e-30), math.Log(p), math.Log(pw[k+1]+1e-30)
		delta := 0.0
		if den := a - 2*b + g; den < 0 {
			delta = max(-0.5, min(0.5, 0.5*(a-g)/den))
		}
		bin := float64(k) + delta
		f := bin * c.rate / chromaSize
		midi := 69 + 12*math.Log2(f/chromaTuneA4)
		mag := math.Sqrt(p)
		if bin < c.kbass {
			mag *= keyBassWeight
		}
		r := math.Round(midi)
		w := math.Cos(math.Pi * (midi - r))
		row[(int(r)%12+12)%12] += float32(w * w * mag)
	}
	c.keys = append(c.keys, row)
}

// chromaBuffers is how many batches of chroma windows the frame stage can
// hand over before it waits for the chroma stage, chromaBatch the windows of
// a batch (fewer hand-overs between the goroutines).
const (
	chromaBuffers = 3
	chromaBatch   = 8
)

// chromaStage computes the chroma frames (chroma.compute: a 4096-point
// spectrum, the chroma row, the pitch and the key chroma) on a
// goroutine of its own, in order. Until finish returns, the goroutine owns
// x.chroma, x.chrs and x.pitch.
type chromaStage struct {
	jobs, free chan *chromaJob
	cur        *chromaJob // the batch being filled
	done       chan struct{}
	panicked   any // a panic of the goroutine, raised again by finish
	closed     bool
}

// chromaJob is a batch of chroma windows and the indices of their frames.
type chromaJob struct {
	win []float32 // chromaBatch windows of chromaSize samples
	idx [chromaBatch]int
	n   int
}

// startChroma starts the chroma stage of x.
func (x *extractor) startChroma() *chromaStage {
	s := &chromaStage{jobs: make(chan *chromaJob, chromaBuffers), free: make(chan *chromaJob, chromaBuffers),
		done: make(chan struct{})}
	for range chromaBuffers {
		s.free <- &chromaJob{win: make([]float32, chromaBatch*chromaSize)}
	}
	go func() {
		defer close(s.done)
		defer func() {
			if p := recover(); p != nil {
				s.panicked = p
				for j := range s.jobs { // let the frame stage finish
					s.free <- j
				}
			}
		}()
		var last [chromaClasses]float32
		for j := range s.jobs {
			for k, idx := range j.idx[:j.n] {
				pc, conf := x.chroma.compute(j.win[k*chromaSize:(k+1)*chromaSize], &last)
				if x.keepPitch {
					x.pitch = append(x.pitch, PitchFrame{Time: float64(idx*HopSize) / float64(x.f.SampleRate), Pitch: pc, Confidence: conf})
				}
				// Kept for every stem: bars and sections read harmonic change.
				x.chrs = append(x.chrs, last)
			}
			j.n = 0
			s.free <- j
		}
	}()
	return s
}

// add hands over the chroma window win (chromaSize samples, copied) of frame
// idx; windows go to the stage in batches.
func (s *chromaStage) add(win []float32, idx int) {
	if s.cur == nil {
		s.cur = <-s.free
	}
	j := s.cur
	copy(j.win[j.n*chromaSize:(j.n+1)*chromaSize], win)
	j.idx[j.n] = idx
	j.n++
	if j.n == chromaBatch {
		s.jobs <- j
		s.cur = nil
	}
}

// finish hands over the last batch and waits for every window; a panic of
// the stage is raised again here.
func (s *chromaStage) finish() {
	if s.cur != nil && !s.closed {
		s.jobs <- s.cur
		s.cur = nil
	}
	s.stop()
	if s.panicked != nil {
		panic(s.panicked)
	}
}

// stop ends the stage and waits for its goroutine (idempotent).
func (s *chromaStage) stop() {
	if !s.closed {
		s.closed = true
		close(s.jobs)
	}
	<-s.done
}
