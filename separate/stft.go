package separate

import "math"

// overlap is the number of STFT frames covering each sample: the hop is a
// quarter of the frame (75% overlap).
const overlap = 4

// hannSquaredSum is Σ w²(n−k·hop) over the frames covering a sample for a
// periodic Hann window w at 75% overlap; it is the same for every sample.
const hannSquaredSum = 1.5

// frameSeconds is the shortest frame: the frame length is the smallest power
// of two at least this long (2048 samples at 44.1 and 48 kHz).
const frameSeconds = 0.04

// stft is the short-time Fourier transform shared by every channel and stem of
// one separation: one FFT, its windows and scratch buffers (not safe for
// concurrent use).
//
// Frames are n samples long with a hop of n/4, analysed with a periodic Hann
// window and resynthesised with the same window; the window overlap and the
// unnormalised inverse FFT are undone by the synthesis window, so
// overlap-adding the synthesised frames of an unmodified spectrum gives back
// the input exactly (COLA) wherever four frames cover a sample.
type stft struct {
	n, hop, bins int
	fft          *realFFT
	win          []float64 // periodic Hann
	synth        []float64 // periodic Hann / (hannSquaredSum·n)
	buf          []float64 // n samples of scratch
}

// frameLen returns the STFT frame length used at rate Hz.
func frameLen(rate int) int {
	n := 256
	for float64(n) < frameSeconds*float64(rate) {
		n *= 2
	}
	return n
}

// newSTFT prepares the transform for audio at rate Hz.
func newSTFT(rate int) *stft {
	n := frameLen(rate)
	s := &stft{
		n:     n,
		hop:   n / overlap,
		bins:  n/2 + 1,
		fft:   newRealFFT(n),
		win:   make([]float64, n),
		synth: make([]float64, n),
		buf:   make([]float64, n),
	}
	for i := range n {
		s.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
		s.synth[i] = s.win[i] / (hannSquaredSum * float64(n))
	}
	return s
}

// analyze writes the spectrum of the windowed frame (n samples) to dst (bins
// values).
func (s *stft) analyze(dst []complex128, frame []float64) {
	for i, v := range frame {
		s.buf[i] = v * s.win[i]
	}
	s.fft.forward(dst, s.buf)
}

// synthesize inverse-transforms spec (bins values) and adds the frame,
// windowed and scaled, to acc[:n].
func (s *stft) synthesize(acc []float64, spec []complex128) {
	s.fft.inverse(s.buf, spec)
	for i, v := range s.buf {
		acc[i] += v * s.synth[i]
	}
}
