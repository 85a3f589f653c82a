package separate

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveMedian returns the median of an odd number of values.
func naiveMedian(v []float32) float32 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func TestReplaceSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	raw := make([]float32, 9)
	for i := range raw {
		raw[i] = float32(rng.IntN(5)) // repeated values too
	}
	s := slices.Clone(raw)
	slices.Sort(s)
	for i := range 1000 {
		j := i % len(raw)
		v := float32(rng.IntN(7))
		replaceSorted(s, raw[j], v)
		raw[j] = v
		want := slices.Clone(raw)
		slices.Sort(want)
		if !slices.Equal(s, want) {
			t.Fatalf("step %d: window %v, want %v", i, s, want)
		}
	}
}

func TestTimeMedian(t *testing.T) {
	const bins, width, frames = 5, 7, 40
	rng := rand.New(rand.NewPCG(5, 6))
	m := newTimeMedian(bins, width)
	history := make([][]float32, 0, frames) // per frame, per bin
	got := make([]float32, bins)
	for k := range frames {
		cur := make([]float32, bins)
		for b := range cur {
			cur[b] = rng.Float32()
			var old float32 // frames before the first are silence
			if k >= width {
				old = history[k-width][b]
			}
			m.replace(b, old, cur[b])
		}
		history = append(history, cur)
		m.median(got)
		for b := range bins {
			window := make([]float32, width)
			for i := range width {
				if f := k - width + 1 + i; f >= 0 {
					window[i] = history[f][b]
				}
			}
			if want := naiveMedian(window); got[b] != want {
				t.Fatalf("frame %d bin %d: median %v, want %v", k, b, got[b], want)
			}
		}
	}
}

func TestFreqMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, width := range []int{3, 5, 9} {
		mag := make([]float32, 12)
		for i := range mag {
			mag[i] = rng.Float32()
		}
		got := make([]float32, len(mag))
		freqMedian(got, mag, make([]float32, width))
		half := width / 2
		for b := range mag {
			window := make([]float32, 0, width)
			for j := b - half; j <= b+half; j++ {
				switch {
				case j < 0:
					window = append(window, mag[-j])
				case j >= len(mag):
					window = append(window, mag[2*(len(mag)-1)-j])
				default:
					window = append(window, mag[j])
				}
			}
			if want := naiveMedian(window); got[b] != want {
				t.Errorf("width %d bin %d: median %v, want %v", width, b, got[b], want)
			}
		}
	}
}
