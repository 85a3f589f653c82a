package dsp

import "math"

// stft computes windowed power spectra of one frame size with a precomputed
// real FFT plan and reused buffers: a transform allocates nothing.
type stft struct {
	n   int
	fft *realFFT
	win []float64 // periodic Hann window
}

func newSTFT(n int) *stft {
	s := &stft{n: n, fft: newRealFFT(n), win: make([]float64, n)}
	for i := range s.win {
		s.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	return s
}

// power writes |X_k|² of the Hann-windowed frame (len n) into pow (len n/2+1).
func (s *stft) power(frame []float32, pow []float64) {
	s.fft.power(frame[:s.n], s.win, pow)
}
