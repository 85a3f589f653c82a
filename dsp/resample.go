package dsp

import (
	"io"
	"math"
)

// AnalysisRate is the sample rate, in Hz, at which Analyze works whatever
// the file's rate: frames of FrameSize samples every HopSize at this rate
// (23.2 ms every 11.6 ms), so the work, the memory and the size of the
// per-frame document depend on the duration alone. A 44.1 kHz file is
// analysed as it is; any other rate is resampled first (by ffmpeg in its
// own process when OpenForAnalysis decodes through it, else by Resample).
const AnalysisRate = 44100

// Resampler parameters: a Kaiser-windowed sinc with resampleZeros zero
// crossings each side at the lower of the two rates, cut off at
// resampleCutoff of that rate's Nyquist frequency: tones in the passband
// come out with an error 63–78 dB under them (TestResampleTones), for 12 to
// 56 taps per output sample and channel (48 to 192 kHz input). Ratios that do not reduce to at most resampleMaxPhases output
// phases are approximated by the nearest of resampleMaxPhases phases (a
// timing error under 1/2048 of an input sample).
const (
	resampleZeros     = 6
	resampleCutoff    = 0.94
	resampleBeta      = 6.0
	resampleMaxPhases = 1024
)

// resampler converts the output of a Decoder to another sample rate, one
// polyphase FIR per channel, streaming: it holds readBufFrames input frames
// per channel plus the filter's span.
type resampler struct {
	d      Decoder
	format Format
	ch     int
	up     int64 // output rate / gcd
	down   int64 // input rate / gcd
	phases int64
	taps   int       // per phase
	half   int       // taps / 2
	coef   []float32 // phases × taps
	// planes[c] holds input frames base, base+1, … of channel c; the
	// first half-1 frames of the stream are preceded by zeros.
	planes [][]float32
	base   int64 // input frame index of planes[c][0]
	inbuf  []float32
	out    int64 // output frames produced
	inN    int64 // input frames read
	eof    bool
	err    error
}

// Resample returns d converted to rate Hz (d itself when it already is at
// that rate). The returned Decoder's Format has SampleRate rate, SourceRate
// the original rate and Frames scaled to the new rate (-1 when unknown).
func Resample(d Decoder, rate int) Decoder {
	f := d.Format()
	if f.SampleRate == rate || f.SampleRate <= 0 || rate <= 0 {
		return d
	}
	g := int64(gcd(f.SampleRate, rate))
	r := &resampler{d: d, ch: f.Channels, up: int64(rate) / g, down: int64(f.SampleRate) / g}
	r.phases = min(r.up, resampleMaxPhases)
	out := f
	out.SampleRate = rate
	out.SourceRate = f.SourceRate
	if out.SourceRate == 0 {
		out.SourceRate = f.SampleRate
	}
	out.BitDepth, out.Float = 32, true
	if f.Frames >= 0 {
		out.Frames = (f.Frames*r.up + r.down - 1) / r.down
	}
	r.format = out
	// Cut-off in cycles per input sample, and the kernel's half-width in
	// input samples.
	fc := 0.5 * resampleCutoff * math.Min(1, float64(r.up)/float64(r.down))
	width := resampleZeros / (2 * fc)
	r.half = int(math.Ceil(width))
	r.taps = 2 * r.half
	r.coef = make([]float32, int(r.phases)*r.taps)
	i0 := besselI0(resampleBeta)
	v := make([]float64, r.taps)
	for p := range int(r.phases) {
		frac := float64(p) / float64(r.phases)
		h := r.coef[p*r.taps : (p+1)*r.taps]
		var sum float64
		clear(v)
		for j := range r.taps {
			// Distance of input sample j (of this output's span) from
			// the output instant, in input samples.
			t := float64(r.half-1-j) + frac
			if math.Abs(t) >= width {
				continue
			}
			x := 2 * fc * t
			s := 1.0
			if x != 0 {
				s = math.Sin(math.Pi*x) / (math.Pi * x)
			}
			q := t / width
			v[j] = s * besselI0(resampleBeta*math.Sqrt(1-q*q)) / i0
			sum += v[j]
		}
		for j := range h {
			h[j] = float32(v[j] / sum) // unity gain at DC for every phase
		}
	}
	r.planes = make([][]float32, r.ch)
	for c := range r.planes {
		r.planes[c] = make([]float32, r.half-1, r.half-1+readBufFrames+r.taps)
	}
	r.base = -int64(r.half - 1)
	r.inbuf = make([]float32, readBufFrames*r.ch)
	return r
}

// gcd returns the greatest common divisor of a and b (both > 0).
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// besselI0 is the modified Bessel function of the first kind, order 0.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

func (r *resampler) Format() Format { return r.format }

// Read follows the Decoder contract: whole frames, no samples together with
// an error, io.EOF at the end.
func (r *resampler) Read(dst []float32) (int, error) {
	ch := r.ch
	want := len(dst) / ch
	if want == 0 {
		if len(dst) == 0 {
			return 0, nil
		}
		return 0, io.ErrShortBuffer
	}
	for {
		if n := r.produce(dst[:want*ch]); n > 0 {
			return n * ch, nil
		}
		if r.err != nil {
			return 0, r.err
		}
		if r.eof {
			// Flushed: the tail is zero-padded as the stream ended.
			r.err = io.EOF
			return 0, r.err
		}
		r.fill()
	}
}

// total is the number of output frames of the whole stream, known once the
// input has ended.
func (r *resampler) total() int64 { return (r.inN*r.up + r.down - 1) / r.down }

// produce writes the output frames the buffered input allows and returns
// how many.
func (r *resampler) produce(dst []float32) int {
	ch := r.ch
	have := r.base + int64(len(r.planes[0])) // input frames buffered up to here
	n := 0
	for n*ch < len(dst) {
		if r.eof && r.out >= r.total() {
			break
		}
		pos := r.out * r.down // output instant × up, in input samples × up
		ip := pos / r.up
		if ip+int64(r.half) >= have {
			break // the span reaches past the buffered input
		}
		p := pos % r.up
		if r.phases != r.up {
			// Nearest of the approximating phases; a last phase rounds up
			// to the next input sample.
			p = ((pos%r.up)*r.phases + r.up/2) / r.up
			if p == r.phases {
				p, ip = 0, ip+1
				if ip+int64(r.half) >= have {
					break
				}
			}
		}
		h := r.coef[int(p)*r.taps : int(p+1)*r.taps]
		start := int(ip - int64(r.half-1) - r.base)
		if ch == 2 {
			dst[2*n], dst[2*n+1] = dot2(h, r.planes[0][start:], r.planes[1][start:])
		} else {
			for c := range ch {
				dst[n*ch+c] = dot(h, r.planes[c][start:])
			}
		}
		n++
		r.out++
	}
	return n
}

// dot returns Σ h[i]·x[i] (len(x) ≥ len(h)) in four interleaved chains.
func dot(h, x []float32) float32 {
	x = x[:len(h)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(h); i += 4 {
		s0 += h[i] * x[i]
		s1 += h[i+1] * x[i+1]
		s2 += h[i+2] * x[i+2]
		s3 += h[i+3] * x[i+3]
	}
	for ; i < len(h); i++ {
		s0 += h[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dot2 is dot for two channels in one pass over h.
func dot2(h, x, y []float32) (float32, float32) {
	x, y = x[:len(h)], y[:len(h)]
	var a0, a1, b0, b1 float32
	i := 0
	for ; i+2 <= len(h); i += 2 {
		a0 += h[i] * x[i]
		b0 += h[i] * y[i]
		a1 += h[i+1] * x[i+1]
		b1 += h[i+1] * y[i+1]
	}
	for ; i < len(h); i++ {
		a0 += h[i] * x[i]
		b0 += h[i] * y[i]
	}
	return a0 + a1, b0 + b1
}

// fill drops the input no longer needed and reads the next block; at the
// end of the input it appends the zeros that flush the filter.
func (r *resampler) fill() {
	// The next output's span starts at input frame first.
	first := (r.out*r.down)/r.up - int64(r.half-1)
	if drop := int(first - r.base); drop > 0 {
		drop = min(drop, len(r.planes[0]))
		for c := range r.planes {
			r.planes[c] = r.planes[c][:copy(r.planes[c], r.planes[c][drop:])]
		}
		r.base += int64(drop)
	}
	n, err := r.d.Read(r.inbuf)
	if n > 0 {
		frames := n / r.ch
		for c := range r.planes {
			p := r.planes[c]
			for i := range frames {
				p = append(p, r.inbuf[i*r.ch+c])
			}
			r.planes[c] = p
		}
		r.inN += int64(frames)
	}
	switch {
	case err == io.EOF:
		r.eof = true
		for c := range r.planes {
			r.planes[c] = append(r.planes[c], make([]float32, r.half+1)...)
		}
	case err != nil:
		r.err = err
	}
}
