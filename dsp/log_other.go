//go:build !amd64 || purego

package dsp

import "math"

// logs writes math.Log(x[i]) to dst[i] (no vector version on this
// architecture).
func logs(dst, x []float64) {
	for i, v := range x {
		dst[i] = math.Log(v)
	}
}
