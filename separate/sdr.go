package separate

import "math"

// SDR returns the signal-to-distortion ratio in dB of estimate against
// reference, 10·log10(‖s‖²/‖s−ŝ‖²) (the simple, unprojected form of BSS-eval's
// SDR). Samples missing from the shorter slice count as zeros. It is +Inf
// when the estimate equals the reference, -Inf when the reference is silent
// and the estimate is not.
func SDR(reference, estimate []float32) float64 {
	var sig, dist float64
	for i := range max(len(reference), len(estimate)) {
		var s, e float64
		if i < len(reference) {
			s = float64(reference[i])
		}
		if i < len(estimate) {
			e = float64(estimate[i])
		}
		sig += s * s
		dist += (s - e) * (s - e)
	}
	if dist == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(sig/dist)
}
