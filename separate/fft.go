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
// hop), hence a transform of its own: an iterative radix-4 FFT (see transform).
type realFFT struct {
	n, m    int          // frame length, complex length n/2
	rev     []int32      // bit reversal of log2(m) bits
	tw, itw []complex128 // e^∓2πik/m, k < 3m/4
	half    []complex128 // e^−2πik/n, k ≤ m
	z       []complex128 // m points of scratch
}

// newRealFFT prepares transforms of n samples.
func newRealFFT(n int) *realFFT {
	m := n / 2
	f := &realFFT{n: n, m: m, rev: make([]int32, m), tw: make([]complex128, 3*m/4), itw: make([]complex128, 3*m/4),
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
// twiddles tw (forward or inverse). After the first two stages (radix-4
// butterflies with twiddles 1 and ∓i) it merges two stages at a time, as
// radix-4 steps (3 twiddle products for 4 points instead of 4), and ends on
// a radix-2 stage when log2(len(z)) is odd.
func (f *realFFT) transform(z []complex128, tw []complex128) {
	m := len(z)
	rot := tw[m/4] // −i forward, +i inverse
	for s := 0; s+4 <= m; s += 4 {
		q := z[s : s+4 : s+4]
		a, b := q[0]+q[1], q[0]-q[1]
		c, d := q[2]+q[3], (q[2]-q[3])*rot
		q[0], q[2] = a+c, a-c
		q[1], q[3] = b+d, b-d
	}
	h := 4 // size of the transforms merged by the next step
	for ; 4*h <= m; h *= 4 {
		// The four transforms of a block of 4h hold, in bit-reversed
		// order, the samples of residue 0, 2, 1 and 3 mod 4 of the block.
		step := m / (4 * h)
		for s := 0; s < m; s += 4 * h {
			q0, q1, q2, q3 := z[s:s+h:s+h], z[s+h:s+2*h:s+2*h], z[s+2*h:s+3*h:s+3*h], z[s+3*h:s+4*h:s+4*h]
			for j := range q0 {
				a := q0[j]
				b := q1[j] * tw[2*j*step]
				c := q2[j] * tw[j*step]
				d := q3[j] * tw[3*j*step]
				apb, amb := a+b, a-b
				cpd, cmd := c+d, (c-d)*rot
				q0[j], q2[j] = apb+cpd, apb-cpd
				q1[j], q3[j] = amb+cmd, amb-cmd
			}
		}
	}
	if 2*h == m {
		lo, hi := z[:h:h], z[h:]
		for j := range lo {
			v := hi[j] * tw[j]
			u := lo[j]
			lo[j], hi[j] = u+v, u-v
		}
	}
}
