package separate

import (
	"io"
	"math"
)

// Resampling filter: a windowed sinc (Blackman window, about 74 dB of
// stop-band rejection) reaching resampleHalfTaps input samples either side
// (more when decimating), with its cut-off at resampleCutoff of the lower
// Nyquist frequency.
const (
	resampleHalfTaps = 16
	resampleCutoff   = 0.94
)

// resampler converts interleaved audio from one rate to another as a
// stream, with the contract of dsp.WAVReader.Read: output frame j is the
// band-limited input at time j·in/out, the input being zero past its end,
// and the stream ends after frames output frames. It keeps only the input
// samples the filter still needs.
type resampler struct {
	src          func([]float32) (int, error)
	ch           int
	up, down     int       // out/in rate ratio, in lowest terms
	half         int       // taps either side of the filter's centre
	coef         []float32 // up phases × 2·half taps
	frames, next int64     // output frames in all, and the next one
	x            []float32 // input frames [base, base+len(x)/ch), interleaved
	base         int64
	eof          bool
	chunk        []float32
}

// newResampler returns a stream of frames frames at rate out from src at
// rate in, with ch channels.
func newResampler(src func([]float32) (int, error), ch, in, out int, frames int64) *resampler {
	g := gcd(in, out)
	up, down := out/g, in/g
	cut := resampleCutoff * 0.5 * min(1, float64(up)/float64(down)) // cycles per input sample
	half := int(math.Ceil(resampleHalfTaps * max(1, float64(down)/float64(up))))
	r := &resampler{src: src, ch: ch, up: up, down: down, half: half, frames: frames,
		coef: make([]float32, up*2*half), chunk: make([]float32, 4096*ch)}
	for p := range up {
		taps := r.coef[p*2*half : (p+1)*2*half]
		frac := float64(p) / float64(up)
		var sum float64
		v := make([]float64, len(taps))
		for k := range taps {
			t := float64(k-half+1) - frac // input sample k−half+1 after the one at or before the output time
			v[k] = 2 * cut * sinc(2*cut*t) * blackman(t/float64(half))
			sum += v[k]
		}
		for k := range taps {
			taps[k] = float32(v[k] / sum) // unit gain at DC in every phase
		}
	}
	return r
}

// resampledFrames returns how many frames a stream of frames frames has at
// rate out instead of in.
func resampledFrames(frames int64, in, out int) int64 {
	return int64(math.Round(float64(frames) * float64(out) / float64(in)))
}

// gcd returns the greatest common divisor of two positive integers.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// sinc is sin(πx)/(πx).
func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// blackman is the Blackman window over [−1, 1], zero outside.
func blackman(x float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return 0.42 + 0.5*math.Cos(math.Pi*x) + 0.08*math.Cos(2*math.Pi*x)
}

// Read fills dst with whole output frames.
func (r *resampler) Read(dst []float32) (int, error) {
	n := 0
	for n+r.ch <= len(dst) && r.next < r.frames {
		// Output frame next sits between input frames i and i+1.
		pos := r.next * int64(r.down)
		i, phase := pos/int64(r.up), int(pos%int64(r.up))
		first := i - int64(r.half) + 1
		if err := r.fill(i + int64(r.half)); err != nil {
			return n, err
		}
		if drop := first - r.base; drop > 1<<14 { // forget input the filter is past
			r.x = append(r.x[:0], r.x[drop*int64(r.ch):]...)
			r.base = first
		}
		taps := r.coef[phase*2*r.half : (phase+1)*2*r.half]
		for c := range r.ch {
			var acc float32
			for k, w := range taps {
				if j := first + int64(k); j >= 0 {
					acc += w * r.x[(j-r.base)*int64(r.ch)+int64(c)]
				}
			}
			dst[n+c] = acc
		}
		n += r.ch
		r.next++
	}
	if r.next == r.frames {
		return n, io.EOF
	}
	return n, nil
}

// fill reads input until frame last is held (zeros past the end).
func (r *resampler) fill(last int64) error {
	for r.base+int64(len(r.x)/r.ch) <= last {
		if r.eof {
			r.x = append(r.x, make([]float32, r.ch)...)
			continue
		}
		m, err := r.src(r.chunk)
		r.x = append(r.x, r.chunk[:m]...) // a partial frame waits for its other samples
		if err == io.EOF {
			r.eof = true
		} else if err != nil {
			return err
		}
	}
	return nil
}
