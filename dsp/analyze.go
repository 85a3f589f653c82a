package dsp

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
)

// AnalysisVersion identifies the feature definitions of Analyze.
const AnalysisVersion = "3.3-native"

// Series names of Analysis.Series.
const (
	SeriesRMS                 = "rms"
	SeriesVolume              = "volume"
	SeriesLoudness            = "loudness"
	SeriesSpectralCentroid    = "spectralCentroid"
	SeriesSpectralRolloff     = "spectralRolloff"
	SeriesSpectralFlatness    = "spectralFlatness"
	SeriesSpectralFlux        = "spectralFlux"
	SeriesZCR                 = "zcr"
	SeriesEnergy              = "energy"
	SeriesPerceptualSharpness = "perceptualSharpness"
	SeriesPerceptualSpread    = "perceptualSpread"
	SeriesBass                = "bass"
	SeriesMid                 = "mid"
	SeriesTreble              = "treble"
)

// Names of the array features in Analysis.Features.
const (
	FeatureMFCC     = "mfcc"
	FeatureChroma   = "chroma"
	FeaturePitch    = "pitch"
	FeatureSpectrum = "amplitudeSpectrum"
)

// allSeries is every series, in output order.
var allSeries = []string{SeriesRMS, SeriesVolume, SeriesLoudness, SeriesSpectralCentroid, SeriesSpectralRolloff,
	SeriesSpectralFlatness, SeriesSpectralFlux, SeriesZCR, SeriesEnergy, SeriesPerceptualSharpness,
	SeriesPerceptualSpread, SeriesBass, SeriesMid, SeriesTreble}

// baseSeries are emitted for every stem (the frontend reads them always).
var baseSeries = []string{SeriesRMS, SeriesVolume, SeriesLoudness, SeriesSpectralFlux, SeriesBass, SeriesMid, SeriesTreble}

// StemFeatures returns the series and array features Analyze emits for a
// stem: the original frontend's per-stem sets plus the base series
// (rms, volume, loudness, spectralFlux, bass, mid, treble). "master" and any
// other name (other, piano, accompaniment, "") get everything.
func StemFeatures(stem string) []string {
	var extra []string
	switch stem {
	case "drums":
		extra = []string{SeriesZCR, SeriesSpectralCentroid, SeriesEnergy, SeriesPerceptualSharpness, FeatureSpectrum}
	case "bass":
		extra = []string{SeriesSpectralCentroid, FeatureChroma, FeaturePitch, FeatureSpectrum}
	case "vocals":
		extra = []string{SeriesSpectralCentroid, FeatureMFCC, FeatureChroma, FeaturePitch, FeatureSpectrum}
	default:
		return append(slices.Clone(allSeries), FeatureMFCC, FeatureChroma, FeaturePitch, FeatureSpectrum)
	}
	var out []string
	for _, s := range allSeries {
		if slices.Contains(baseSeries, s) || slices.Contains(extra, s) {
			out = append(out, s)
		}
	}
	for _, f := range []string{FeatureMFCC, FeatureChroma, FeaturePitch, FeatureSpectrum} {
		if slices.Contains(extra, f) {
			out = append(out, f)
		}
	}
	return out
}

// Options select what Analyze emits.
type Options struct {
	// Stem selects the emitted feature set (see StemFeatures): master,
	// drums, bass, vocals, other, piano, accompaniment. Every feature is
	// computed either way (arrays the stem does not emit are not kept);
	// Summary, events and the waveform are always set.
	Stem string
	// SummaryOnly keeps none of the per-frame arrays the analysis itself
	// does not read (MFCC, pitch and the spectrum; the series and chroma
	// stay), for a caller that uses the summary, beats, onsets and sections
	// alone: an hour of audio then holds 28 MB less. Analysis.Features
	// lists what was kept.
	SummaryOnly bool
}

// emitted returns the features an analysis with these options emits.
func (o Options) emitted() []string {
	emit := StemFeatures(o.Stem)
	if o.SummaryOnly {
		emit = slices.DeleteFunc(emit, func(f string) bool {
			return f == FeatureMFCC || f == FeaturePitch || f == FeatureSpectrum
		})
	}
	return emit
}

// Summary describes the whole track.
type Summary struct {
	Duration        float64 `json:"duration"`           // seconds
	SampleRate      int     `json:"sample_rate"`        // AnalysisRate: the rate of frameTimes and frames
	SourceRate      int     `json:"source_sample_rate"` // the file's own rate
	Channels        int     `json:"channels"`
	Frames          int64   `json:"frames"`         // sample frames decoded
	BPM             float64 `json:"bpm"`            // 0 when no tempo was found
	BPMConfidence   float64 `json:"bpm_confidence"` // 0..1
	LoudnessLUFS    float64 `json:"loudness_lufs"`  // EBU R128 integrated, -70 floor
	LoudnessRangeLU float64 `json:"loudness_range_lu"`
	TruePeakDBTP    float64 `json:"true_peak_dbtp"` // 4× oversampled, -120 floor
	PeakDBFS        float64 `json:"peak_dbfs"`      // sample peak, -120 floor
	Key             string  `json:"key"`            // C, C#, … B; "" for silence
	Mode            string  `json:"mode"`           // major or minor; "" for silence
	KeyConfidence   float64 `json:"key_confidence"` // 0..1
	// TimeSignature is the bar length in beats; {0, 0} without beats.
	TimeSignature TimeSignature `json:"time_signature"`
}

// PitchFrame is the dominant pitch class (0 = C … 11 = B) of a chroma frame
// and its share of the chroma energy (0..1), as the frontend's
// {time,pitch,confidence}.
type PitchFrame struct {
	Time       float64 `json:"time"`
	Pitch      int     `json:"pitch"`
	Confidence float32 `json:"confidence"`
}

// NormMeta is the range of a series over the track. Series are stored in
// raw units (WasNormalized is always false); clients normalise with it.
type NormMeta struct {
	OriginalMin   float32 `json:"originalMin"`
	OriginalMax   float32 `json:"originalMax"`
	WasNormalized bool    `json:"wasNormalized"`
}

// Analysis is the full feature set of a track (version AnalysisVersion).
//
// Frames are 1024 samples every 512 at AnalysisRate (44.1 kHz, whatever the
// file's rate: other rates are resampled), Hann-windowed, on the channel
// mean; FrameTimes[i] = i·512/44100 is the frame START, as in the
// original frontend. Event times (onsets, transients, beats) are the frame
// centre (start + 512/rate). Every series, MFCC and Spectrum row has one
// entry per frame. Chroma and Pitch have one entry per chroma frame: frames
// 0, 8, 16, … (a 4096-sample window ending where that frame ends), so
// Chroma[j] and Pitch[j] belong to FrameTimes[8j] (= Pitch[j].Time) and the
// chroma holds until the next chroma frame. MFCC and Spectrum values are
// kept to 3 significant digits (Half) and written with 4.
type Analysis struct {
	Version       string                   `json:"version"`
	Summary       Summary                  `json:"summary"`
	FrameTimes    []float64                `json:"frameTimes"`
	Series        map[string][]float32     `json:"series"`
	MFCC          []MFCCFrame              `json:"mfcc,omitempty"`
	Chroma        [][chromaClasses]float32 `json:"chroma,omitempty"` // one row per chroma frame (every ChromaEvery frames), like Pitch
	Pitch         []PitchFrame             `json:"pitch,omitempty"`
	Spectrum      []SpectrumFrame          `json:"amplitudeSpectrum,omitempty"`
	Transients    []Transient              `json:"transients"`
	Beats         []float64                `json:"beats"`
	BeatPositions []int                    `json:"beatPositions"` // each beat's place in its bar, 1 = downbeat
	Downbeats     []float64                `json:"downbeats"`     // the beats at position 1
	Sections      []Section                `json:"sections"`
	Onsets        []float64                `json:"onsets"`
	Normalization map[string]NormMeta      `json:"normalizationMeta"`
	Waveform      Waveform                 `json:"waveform"`
	Features      []string                 `json:"features"`
}

// Analyze decodes d to its end and computes the full Analysis in one
// streaming pass: the decoded signal is never kept (only per-frame features,
// a few float32 per frame, grow with the duration). A stream at another rate
// than AnalysisRate is resampled first (OpenForAnalysis lets ffmpeg do it).
// Decoding, K-weighting, true peak, the mono mix-down and the waveform run on
// a goroutine of their own, the chroma frames (a 4096-point spectrum every
// 4096 samples, and the key) on another, the other frame features on the
// caller's. Panics are recovered into ErrInvalid errors; decoder errors are
// returned as they are.
func Analyze(d Decoder, opt Options) (a *Analysis, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, fmt.Errorf("%w: analysis panicked: %v", ErrInvalid, p)
		}
	}()
	if err := checkFormat(d.Format(), Limits{}.withDefaults()); err != nil {
		return nil, err
	}
	d = Resample(d, AnalysisRate)
	x := newExtractor(d.Format(), opt)
	in := x.input(d)
	defer in.stop()
	x.chr = x.startChroma()
	defer x.chr.stop()
	for b := range in.full {
		if b.n > 0 {
			x.add(b.mono[:b.n], b.z[:b.n])
		}
		if b.err == io.EOF {
			break
		} else if b.err != nil {
			return nil, b.err
		}
		in.free <- b
	}
	return x.result(opt), nil
}

// inputBlock is one decoded block, as the input stage hands it over: the
// mono mix-down and the channel-weighted K-weighted power of each frame.
type inputBlock struct {
	mono []float32
	z    []float64
	n    int   // frames
	err  error // after the frames: io.EOF at the end
}

// inputStage runs the decoder and the per-channel work on its own goroutine,
// inputBlocks blocks ahead of the frame features.
type inputStage struct {
	full, free chan *inputBlock
	quit, done chan struct{}
}

// inputBlocks is how many blocks the input stage fills ahead, and
// inputBlockFrames the frames of a block (several decoder reads: fewer
// hand-overs between the goroutines, each of which may wake a thread).
const (
	inputBlocks      = 6
	inputBlockFrames = 4 * readBufFrames
)

// input starts the input stage on d: it owns x.tp, x.wave and x.loud's
// filters until it delivers its last block (the one with an error).
func (x *extractor) input(d Decoder) *inputStage {
	s := &inputStage{full: make(chan *inputBlock, inputBlocks), free: make(chan *inputBlock, inputBlocks),
		quit: make(chan struct{}), done: make(chan struct{})}
	for range inputBlocks {
		s.free <- &inputBlock{mono: make([]float32, inputBlockFrames), z: make([]float64, inputBlockFrames)}
	}
	ch := x.f.Channels
	buf := make([]float32, inputBlockFrames*ch)
	go func() {
		defer close(s.done)
		for {
			var b *inputBlock
			select {
			case b = <-s.free:
			case <-s.quit:
				return
			}
			b.n, b.err = 0, nil
			func() {
				defer func() {
					if p := recover(); p != nil {
						b.n, b.err = 0, fmt.Errorf("%w: analysis panicked: %v", ErrInvalid, p)
					}
				}()
				// Fill the block; Read never returns samples with an error.
				var n int
				var err error
				for n < len(buf) && err == nil {
					var k int
					k, err = d.Read(buf[n:])
					n += k
				}
				if n > 0 {
					x.tp.add(buf[:n])
					x.loud.filter(buf[:n], b.z)
					mixDown(buf[:n], ch, b.mono)
					b.n = n / ch
					x.wave.addBlock(b.mono[:b.n])
				}
				b.err = err
			}()
			select {
			case s.full <- b:
			case <-s.quit:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	return s
}

// stop ends the input stage and waits for its goroutine (it finishes the
// Read under way), so the decoder is no longer used once Analyze returns.
func (s *inputStage) stop() {
	close(s.quit)
	<-s.done
}

// mixDown writes the channel mean of interleaved samples into dst.
func mixDown(src []float32, ch int, dst []float32) {
	n := len(src) / ch
	dst = dst[:n]
	scale := 1 / float32(ch)
	switch ch {
	case 1:
		copy(dst, src)
	case 2:
		src = src[:2*n]
		// Eight frames per step in vector code when there is some, then
		// four at a time: one bounds check per four.
		k := mixStereoVector(dst, src)
		src, dst = src[2*k:], dst[k:]
		for len(dst) >= 4 {
			s, d := src[:8:8], dst[:4:4]
			d[0] = (s[0] + s[1]) * scale
			d[1] = (s[2] + s[3]) * scale
			d[2] = (s[4] + s[5]) * scale
			d[3] = (s[6] + s[7]) * scale
			src, dst = src[8:], dst[4:]
		}
		for j := range dst {
			dst[j] = (src[2*j] + src[2*j+1]) * scale
		}
	default:
		for j := range dst {
			var sum float32
			for _, v := range src[j*ch : j*ch+ch] {
				sum += v
			}
			dst[j] = sum * scale
		}
	}
}

// extractor holds the streaming state of Analyze.
type extractor struct {
	f      Format
	fps    float64
	frames int64
	// ring holds the mono signal; the current hop is written at
	// ring[pos:pos+HopSize], after the chromaSize-HopSize samples before it.
	// When the ring is full, its last chromaSize-HopSize samples move to
	// the front (once every ringHops hops instead of a copy every hop).
	ring                          []float32
	pos                           int
	fill                          int // mono samples seen, capped at chromaSize
	hopN                          int
	stft                          *stft
	pow                           []float64
	spec                          *spectral
	mfcc                          *mfcc
	chroma                        *chroma
	chr                           *chromaStage
	loud                          *loudnessAcc
	tp                            *truePeak
	wave                          *waveAcc
	keepMFCC, keepPitch, keepSpec bool // arrays the stem emits (chroma is always kept)

	nov *novelty
	ons *onsetEnvelope

	series [numSeries][]float32
	odf    []float32 // onset envelope (novelty.frame's all), for tracking
	events []float32 // onset envelope of onset events (onsetEnvelope)
	lowODF []float32 // low-band onset envelope
	midODF []float32 // mid-band onset envelope
	mfccs  []MFCCFrame
	chrs   [][chromaClasses]float32
	pitch  []PitchFrame
	specs  []SpectrumFrame
}

// ringHops is how many hops extractor.ring holds beyond a chroma window.
const ringHops = 32

// Indices of extractor.series, in allSeries order.
const (
	sRMS = iota
	sVolume
	sLoudness
	sCentroid
	sRolloff
	sFlatness
	sFlux
	sZCR
	sEnergy
	sSharpness
	sSpread
	sBass
	sMid
	sTreble
	numSeries
)

func newExtractor(f Format, opt Options) *extractor {
	emit := opt.emitted()
	x := &extractor{
		keepMFCC:  slices.Contains(emit, FeatureMFCC),
		keepPitch: slices.Contains(emit, FeaturePitch),
		keepSpec:  slices.Contains(emit, FeatureSpectrum),
		f:         f,
		fps:       float64(f.SampleRate) / HopSize,
		ring:      make([]float32, chromaSize+ringHops*HopSize),
		pos:       chromaSize - HopSize,
		stft:      newSTFT(FrameSize),
		pow:       make([]float64, FrameSize/2+1),
		spec:      newSpectral(f.SampleRate),
		mfcc:      newMFCC(f.SampleRate),
		chroma:    newChroma(f.SampleRate),
		loud:      newLoudnessAcc(f.SampleRate, f.Channels),
		tp:        newTruePeak(f.Channels),
		wave:      newWaveAcc(),
		nov:       newNovelty(f.SampleRate),
		ons:       newOnsetEnvelope(f.SampleRate),
	}
	if f.Frames > 0 {
		// Known length (checked against the limits by the decoder): reserve
		// the exact per-frame storage so a long track is not copied while
		// growing. A lying header only costs the reservation.
		n := int(max(0, (f.Frames-FrameSize)/HopSize+1))
		for i := range x.series {
			if i != sVolume {
				x.series[i] = make([]float32, 0, n)
			}
		}
		x.loud.subs = make([]float64, 0, f.Frames/int64(x.loud.subLen)+1)
		x.odf = make([]float32, 0, n)
		x.events = make([]float32, 0, n)
		x.lowODF = make([]float32, 0, n)
		x.midODF = make([]float32, 0, n)
		if x.keepMFCC {
			x.mfccs = make([]MFCCFrame, 0, n)
		}
		x.chrs = make([][chromaClasses]float32, 0, n/chromaEvery+1)
		x.chroma.keys = make([][chromaClasses]float32, 0, n/chromaEvery+1)
		x.chroma.upper = make([][chromaClasses]float32, 0, n/chromaEvery+1)
		if x.keepSpec {
			x.specs = make([]SpectrumFrame, 0, n)
		}
		if x.keepPitch {
			x.pitch = make([]PitchFrame, 0, n/chromaEvery+1)
		}
	}
	return x
}

// add consumes a block of the mono mix-down and its K-weighted powers.
func (x *extractor) add(mono []float32, z []float64) {
	n := len(mono)
	// One run of sample frames up to the end of the current hop at a time.
	for i := 0; i < n; {
		k := min(n-i, HopSize-x.hopN)
		dst := x.ring[x.pos+x.hopN:][:k]
		copy(dst, mono[i:i+k])
		x.loud.addBlock(z[i : i+k])
		x.hopN += k
		i += k
		if x.hopN == HopSize {
			x.fill = min(x.fill+HopSize, chromaSize)
			mom := x.loud.endHop()
			if x.fill >= FrameSize {
				x.frame(mom)
			}
			x.hopN = 0
			x.pos += HopSize
			if x.pos+HopSize > len(x.ring) {
				copy(x.ring, x.ring[x.pos-(chromaSize-HopSize):x.pos])
				x.pos = chromaSize - HopSize
			}
		}
	}
	x.frames += int64(n)
}

// frame computes the features of the frame ending at the last hop.
func (x *extractor) frame(momentary float64) {
	end := x.pos + HopSize // the frame ends with the hop just completed
	fr := x.ring[end-FrameSize : end]
	var sq float64
	// Zero crossings, branch-free: the sign bit of v+0 is v < 0 (adding +0
	// turns −0 into +0; decoders clamp, so there is no NaN).
	var zc uint32
	prev := math.Float32bits(fr[0]+0) >> 31
	for _, v := range fr {
		sq += float64(v) * float64(v)
		sb := math.Float32bits(v+0) >> 31
		zc += sb ^ prev
		prev = sb
	}
	x.stft.power(fr, x.pow)
	var spec [spectrumBands]float32
	sf := x.spec.compute(x.pow, &spec)
	var mf [mfccCoeffs]float32
	x.mfcc.compute(x.pow, &mf)

	ob := x.nov.frame(x.pow)
	idx := len(x.odf)
	x.odf = append(x.odf, ob.all)
	x.lowODF = append(x.lowODF, ob.low)
	x.midODF = append(x.midODF, ob.mid)
	x.events = append(x.events, x.ons.frame(x.pow))

	if idx%chromaEvery == 0 {
		x.chr.add(x.ring[end-chromaSize:end], idx)
	}
	rms := math.Sqrt(sq / FrameSize)
	vals := [numSeries]float64{
		sRMS: rms, sLoudness: momentary, sCentroid: sf.centroid, sRolloff: sf.rolloff, sFlatness: sf.flatness,
		sFlux: sf.flux, sZCR: float64(zc) / (FrameSize - 1), sEnergy: sq, sSharpness: sf.sharpness,
		sSpread: sf.spread, sBass: sf.bands[0], sMid: sf.bands[1], sTreble: sf.bands[2],
	}
	for i, v := range vals {
		if i == sVolume {
			continue
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			v = 0
		}
		x.series[i] = append(x.series[i], float32(v))
	}
	// Arrays the stem does not emit are not kept (memory of long tracks).
	if x.keepMFCC {
		var h MFCCFrame
		halves(h[:], mf[:])
		x.mfccs = append(x.mfccs, h)
	}
	if x.keepSpec {
		var h SpectrumFrame
		halves(h[:], spec[:])
		x.specs = append(x.specs, h)
	}
}

// result finishes the track-level analyses and assembles the Analysis.
func (x *extractor) result(opt Options) *Analysis {
	rate := float64(x.f.SampleRate)
	n := len(x.odf)
	a := &Analysis{
		Version:       AnalysisVersion,
		FrameTimes:    make([]float64, n),
		Series:        map[string][]float32{},
		Normalization: map[string]NormMeta{},
		Transients:    []Transient{},
		Beats:         []float64{},
		BeatPositions: []int{},
		Downbeats:     []float64{},
		Sections:      []Section{},
		Onsets:        []float64{},
		Waveform:      x.wave.result(),
	}
	for i := range a.FrameTimes {
		a.FrameTimes[i] = float64(i*HopSize) / rate
	}

	x.chr.finish()

	// Summary.
	peak := float64(x.tp.sample)
	tp := max(x.tp.peak, peak)
	s := Summary{
		Duration:        float64(x.frames) / rate,
		SampleRate:      x.f.SampleRate,
		SourceRate:      cmp.Or(x.f.SourceRate, x.f.SampleRate),
		Channels:        x.f.Channels,
		Frames:          x.frames,
		LoudnessLUFS:    x.loud.integrated(),
		LoudnessRangeLU: x.loud.loudnessRange(),
		PeakDBFS:        max(20*math.Log10(peak), silenceDBFS),
		TruePeakDBTP:    max(20*math.Log10(tp), silenceDBFS),
	}
	x.rhythm(a, &s)
	if tonic, mode, conf := estimateKey(x.chroma.keys, x.f.SampleRate, a.Onsets); mode != "" {
		s.Key, s.Mode, s.KeyConfidence = PitchClasses[tonic], mode, conf
	}
	a.Summary = s

	// Emitted features.
	emit := opt.emitted()
	x.series[sVolume] = x.series[sRMS]
	for i, name := range allSeries {
		if !slices.Contains(emit, name) {
			continue
		}
		v := x.series[i]
		if v == nil {
			v = []float32{}
		}
		a.Series[name] = v
		var m NormMeta
		if len(v) > 0 {
			m.OriginalMin, m.OriginalMax = v[0], v[0]
			for _, e := range v {
				m.OriginalMin, m.OriginalMax = min(m.OriginalMin, e), max(m.OriginalMax, e)
			}
		}
		a.Normalization[name] = m
	}
	if slices.Contains(emit, FeatureMFCC) {
		a.MFCC = x.mfccs
	}
	if slices.Contains(emit, FeatureChroma) {
		a.Chroma = x.chrs
	}
	if slices.Contains(emit, FeaturePitch) {
		a.Pitch = x.pitch
	}
	if slices.Contains(emit, FeatureSpectrum) {
		a.Spectrum = x.specs
	}
	a.Features = emit
	return a
}
