package separate

import (
	"math"
	"math/bits"
)

// realFFT transforms real frames of n samples (a power of two, at least 8)
// to their n/2+1 bins and back, through a complex FFT of n/2 points: the
// even samples are the real parts, the odd ones the imaginary parts. Neither
// direction is normalised: inverse(forward(x)) = n·x. The separator spends
// most of its time here (two forward and up to eight inverse transforms a
// hop), hence a transform of its own: an iterative radix-2 FFT whose first
// two stages are one multiplication-free radix-4 pass.
type realFFT struct {
	n, m    int          // frame length, complex length n/2
	rev     []int32      // bit reversal of log2(m) bits
	tw, itw []complex128 // e^∓2πik/m, k < m/2
	half    []complex128 // e^−2πik/n, k ≤ m
	z       []complex128 // m points of scratch
}

// newRealFFT prepares transforms of n samples.
func newRealFFT(n int) *realFFT {
	m := n / 2
	f := &realFFT{n: n, m: m, rev: make([]int32, m), tw: make([]complex128, m/2), itw: make([]complex128, m/2),
		half: make([]complex128, m+1), z: make([]complex128, m)}
	shift := 32 - bits.TrailingZeros(uint(m))
	for i := range f.rev {
		f.rev[i] = int32(bits.Reverse32(uint32(i)) >> shift)
	}
	for k := range f.tw {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(m))
		f.tw[k], f.itw[k] = complex(c, s), complex(c, -s)
	}
	for k := range f.half {
		s, c := math.Sincos(-math.Pi * float64(k) / float64(m))
		f.half[k] = complex(c, s)
	}
	return f
}

// forward writes the bins of x (n samples) to dst (n/2+1 values).
func (f *realFFT) forward(dst []complex128, x []float64) {
	z := f.z
	for j, r := range f.rev {
		z[r] = complex(x[2*j], x[2*j+1])
	}
	f.transform(z, f.tw)
	m := f.m
	dst[0] = complex(real(z[0])+imag(z[0]), 0)
	dst[m] = complex(real(z[0])-imag(z[0]), 0)
	for k := 1; k < m; k++ {
		a, b := z[k], conj(z[m-k])
		even, odd := (a+b)*0.5, (a-b)*complex(0, -0.5) // transforms of the even and odd samples
		dst[k] = even + f.half[k]*odd
	}
}

// inverse writes to x (n samples) the real signal of the bins spec (n/2+1
// values; the first and last real, as they are for a real signal), times n.
func (f *realFFT) inverse(x []float64, spec []complex128) {
	z := f.z
	m := f.m
	for k := range m {
		a, b := spec[k], conj(spec[m-k])
		z[f.rev[k]] = (a + b) + complex(0, 1)*(a-b)*conj(f.half[k])
	}
	f.transform(z, f.itw)
	for j, v := range z {
		x[2*j], x[2*j+1] = real(v), imag(v)
	}
}

// conj is the complex conjugate.
func conj(v complex128) complex128 { return complex(real(v), -imag(v)) }

// transform runs the FFT of z, in bit-reversed order, in place with the
// twiddles tw (forward or inverse).
func (f *realFFT) transform(z []complex128, tw []complex128) {
	m := len(z)
	// Stages 1 and 2: radix-4 butterflies, twiddles 1 and ∓i.
	rot := tw[m/4] // −i forward, +i inverse
	for s := 0; s+4 <= m; s += 4 {
		q := z[s : s+4 : s+4]
		a, b := q[0]+q[1], q[0]-q[1]
		c, d := q[2]+q[3], (q[2]-q[3])*rot
		q[0], q[2] = a+c, a-c
		q[1], q[3] = b+d, b-d
	}
	for size := 8; size <= m; size <<= 1 {
		h := size >> 1
		step := m / size
		for s := 0; s < m; s += size {
			lo, hi := z[s:s+h:s+h], z[s+h:s+size:s+size]
			for j := range lo {
				v := hi[j] * tw[j*step]
				u := lo[j]
				lo[j], hi[j] = u+v, u-v
			}
		}
	}
}
