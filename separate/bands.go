package separate

import "math"

// bandMap relates the STFT bins of a separation to the model's bands. The
// model's bands are runs of bins of its own STFT (hdr.N points at
// hdr.Rate); at another rate or frame length a bin overlaps them by a
// fraction of its width, so the bin's power is shared out in those
// fractions and its mask is the same mix of the band masks. At the
// model's own rate and length every bin lies in one band.
type bandMap struct {
	start  []int     // per bin, its first entry in band and weight; one more at the end
	band   []int     // entries: a band the bin overlaps
	weight []float32 // entries: the fraction of the bin in that band
	scale  float32   // brings band powers to the level of the model's STFT
}

// newBandMap maps bins bins of an n-point STFT at rate Hz onto the bands of m.
func newBandMap(m *maskModel, bins, n, rate int) *bandMap {
	h := &m.hdr
	// Bin b covers [b−½, b+½) of its own bins, [(b−½)·r, (b+½)·r) of the
	// model's, where r is the ratio of the bin widths; band k covers
	// [edges[k]−½, edges[k+1]−½) of the model's bins, the first and last
	// reaching out to infinity.
	r := (float64(rate) / float64(n)) / (float64(h.Rate) / float64(h.N))
	bm := &bandMap{start: make([]int, 0, bins+1)}
	for b := range bins {
		bm.start = append(bm.start, len(bm.band))
		lo, hi := (float64(b)-0.5)*r, (float64(b)+0.5)*r
		for k := range m.bands {
			klo, khi := float64(h.Edges[k])-0.5, float64(h.Edges[k+1])-0.5
			if k == 0 {
				klo = math.Inf(-1)
			}
			if k == m.bands-1 {
				khi = math.Inf(1)
			}
			if o := min(hi, khi) - max(lo, klo); o > 0 {
				bm.band = append(bm.band, k)
				bm.weight = append(bm.weight, float32(o/r))
			}
		}
	}
	bm.start = append(bm.start, len(bm.band))
	// Noise of a given level has a band power proportional to n²/rate.
	bm.scale = float32((float64(h.N) * float64(h.N) / float64(h.Rate)) / (float64(n) * float64(n) / float64(rate)))
	return bm
}

// pool adds each bin's value times its band fractions to the bands of dst.
func (bm *bandMap) pool(dst []float32, bins []float32) {
	clear(dst)
	for b, v := range bins {
		for e := bm.start[b]; e < bm.start[b+1]; e++ {
			dst[bm.band[e]] += bm.weight[e] * v
		}
	}
}

// expand sets each bin of dst to the mix of the band values of src in its
// band fractions.
func (bm *bandMap) expand(dst []float64, src []float32) {
	for b := range dst {
		var v float32
		for e := bm.start[b]; e < bm.start[b+1]; e++ {
			v += bm.weight[e] * src[bm.band[e]]
		}
		dst[b] = float64(v)
	}
}
