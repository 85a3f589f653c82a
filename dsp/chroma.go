package dsp

import "math"

// Chroma analysis: a longer window than the feature frames resolves
// semitones in octaves 2–4 (at 44.1 kHz a 4096-point FFT has 10.8 Hz bins).
const (
	chromaSize    = 4096 // FFT size
	chromaEvery   = 8    // computed every 8 feature frames (4096 samples)
	chromaMinHz   = 55   // A1
	chromaMaxHz   = 5000 //
	chromaTuneA4  = 440.0
	chromaClasses = 12
)

// ChromaEvery is the spacing, in analysis frames, of the chroma frames:
// Analysis.Chroma and Analysis.Pitch have one entry per chroma frame.
const ChromaEvery = chromaEvery

// PitchClasses names the pitch classes 0..11 (C = 0).
var PitchClasses = [chromaClasses]string{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}

// chroma folds a 4096-point power spectrum into 12 pitch classes.
type chroma struct {
	stft  *stft
	pow   []float64
	lo    int    // first bin used
	class []int8 // pitch class of bins lo..
	sum   [chromaClasses]float64
	count int
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
	return c
}

// compute writes the max-normalised chroma of the frame (chromaSize samples)
// into out, returns the dominant class and its share of the chroma energy,
// and adds the frame to the key accumulator.
func (c *chroma) compute(frame []float32, out *[chromaClasses]float32) (int, float32) {
	c.stft.power(frame, c.pow)
	var raw [chromaClasses]float64
	for i, pc := range c.class {
		raw[pc] += c.pow[c.lo+i]
	}
	var mx, sum float64
	best := 0
	for i, v := range raw {
		sum += v
		if v > mx {
			mx, best = v, i
		}
	}
	if mx <= 1e-12 {
		*out = [chromaClasses]float32{}
		return 0, 0
	}
	for i, v := range raw {
		out[i] = float32(v / mx)
		c.sum[i] += v / sum
	}
	c.count++
	return best, float32(mx / sum)
}
