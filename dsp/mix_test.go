package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMixDownStereo: the stereo mix-down (vector steps, then the loops) is
// (l+r)/2 in float32, to the bit, at every length around the steps.
func TestMixDownStereo(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	src := make([]float32, 2*300)
	for i := range src {
		src[i] = float32(rng.NormFloat64())
		if i%11 == 0 {
			src[i] = float32(math.Copysign(0, -1))
		}
	}
	for n := range 40 {
		for _, frames := range []int{n, 300 - n} {
			dst := make([]float32, frames)
			mixDown(src[:2*frames], 2, dst)
			for j, v := range dst {
				if want := (src[2*j] + src[2*j+1]) * 0.5; math.Float32bits(v) != math.Float32bits(want) {
					t.Fatalf("%d frames, frame %d: %v, want %v", frames, j, v, want)
				}
			}
		}
	}
}
