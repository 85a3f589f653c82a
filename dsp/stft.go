package dsp

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// stft computes windowed magnitude spectra of one frame size with one gonum
// FFT plan and reused buffers: a transform allocates nothing.
type stft struct {
	n   int
	fft *fourier.FFT
	win []float64    // periodic Hann window
	in  []float64    // windowed frame
	out []complex128 // n/2+1 coefficients
}

func newSTFT(n int) *stft {
	s := &stft{n: n, fft: fourier.NewFFT(n), win: make([]float64, n), in: make([]float64, n), out: make([]complex128, n/2+1)}
	for i := range s.win {
		s.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	return s
}

// power writes |X_k|² of the Hann-windowed frame (len n) into pow (len n/2+1).
func (s *stft) power(frame []float32, pow []float64) {
	frame = frame[:s.n]
	for i, v := range frame {
		s.in[i] = float64(v) * s.win[i]
	}
	s.fft.Coefficients(s.out, s.in)
	pow = pow[:len(s.out)]
	for k, c := range s.out {
		re, im := real(c), imag(c)
		pow[k] = re*re + im*im
	}
}
