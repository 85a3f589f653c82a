//go:build amd64 && !purego

package dsp

import "math"

// logAVX is math.Log of n positive normal finite values, n a multiple of 4,
// in AVX2 (log_amd64.s): Go's amd64 Log, its operations in its order, so
// the same values.
//
//go:noescape
func logAVX(dst, src *float64, n int)

// logs writes math.Log(x[i]) to dst[i]: in vector code, four at a time,
// when the CPU has AVX2 and every x[i] is a positive normal finite number,
// else (and for the last len(x)%4) by math.Log.
func logs(dst, x []float64) {
	dst = dst[:len(x)]
	n := 0
	if useAVX2 && len(x) >= 4 {
		n = len(x) &^ 3
		for _, v := range x[:n] {
			if !(v >= 0x1p-1022 && v <= math.MaxFloat64) {
				n = 0
				break
			}
		}
		if n > 0 {
			logAVX(&dst[0], &x[0], n)
		}
	}
	for i := n; i < len(x); i++ {
		dst[i] = math.Log(x[i])
	}
}
