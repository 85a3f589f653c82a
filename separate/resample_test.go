package separate

import (
	"io"
	"math"
	"testing"
)

// sliceSource reads x with the contract of dsp.WAVReader.Read, in reads of
// at most step samples.
func sliceSource(x []float32, step int) func([]float32) (int, error) {
	return func(dst []float32) (int, error) {
		if len(x) == 0 {
			return 0, io.EOF
		}
		n := copy(dst[:min(len(dst), step)], x)
		x = x[n:]
		return n, nil
	}
}

// TestResample converts sines between rates: the output has the expected
// length and, away from the edges, matches the sine at the new rate within
// −70 dB; a tone above the new Nyquist frequency is removed.
func TestResample(t *testing.T) {
	for _, tc := range []struct {
		in, out int
		hz      float64
		want    float64 // expected output amplitude relative to the input
	}{
		{44100, 48000, 1000, 1},
		{48000, 44100, 5000, 1},
		{8000, 44100, 440, 1},
		{44100, 22050, 3000, 1},
		{44100, 8000, 3000, 1},
		{48000, 8000, 6000, 0}, // above 4 kHz: filtered out
	} {
		const seconds, ch = 0.5, 2
		frames := int(seconds * float64(tc.in))
		x := make([]float32, frames*ch)
		for i := range frames {
			v := float32(0.5 * math.Sin(2*math.Pi*tc.hz*float64(i)/float64(tc.in)))
			x[2*i], x[2*i+1] = v, -v
		}
		n := resampledFrames(int64(frames), tc.in, tc.out)
		r := newResampler(sliceSource(x, 999), ch, tc.in, tc.out, n)
		var y []float32
		buf := make([]float32, 1001*ch)
		for {
			m, err := r.Read(buf)
			y = append(y, buf[:m]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if int64(len(y)) != n*ch {
			t.Fatalf("%d→%d Hz: %d samples, want %d", tc.in, tc.out, len(y), n*ch)
		}
		var sig, errE float64
		for j := int(n / 10); j < int(n-n/10); j++ {
			want := tc.want * 0.5 * math.Sin(2*math.Pi*tc.hz*float64(j)/float64(tc.out))
			for c, s := range []float64{1, -1} {
				d := float64(y[j*ch+c]) - s*want
				errE += d * d
				sig += 0.25 / 2
			}
		}
		if db := 10 * math.Log10(errE/sig); db > -70 {
			t.Errorf("%d→%d Hz, %v Hz sine: error %.1f dB, want ≤ −70 dB", tc.in, tc.out, tc.hz, db)
		}
	}
}
