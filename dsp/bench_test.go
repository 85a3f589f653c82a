package dsp

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// benchSeconds is the length of benchWAV.
const benchSeconds = 180

// benchWAV is a 3-minute 44.1 kHz 16-bit stereo WAV held in memory: a
// chord plus noise, louder on the left.
func benchWAV() []byte {
	const rate = 44100
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 0, rate*benchSeconds*4)
	for i := range rate * benchSeconds {
		t := float64(i) / rate
		v := 0.2*math.Sin(2*math.Pi*261.63*t) + 0.2*math.Sin(2*math.Pi*329.63*t) + 0.05*rng.NormFloat64()
		data = binary.LittleEndian.AppendUint16(data, uint16(int16(v*32767)))
		data = binary.LittleEndian.AppendUint16(data, uint16(int16(0.7*v*32767)))
	}
	return pcmWAV(tagPCM, 16, 2, rate, data)
}

// BenchmarkAnalyzeBasic analyses a 3-minute 44.1 kHz 16-bit stereo WAV held
// in memory (a chord plus noise, louder on the left) and reports the speed as a multiple of real
// time.
func BenchmarkAnalyzeBasic(b *testing.B) {
	wav := benchWAV()
	b.SetBytes(int64(len(wav)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AnalyzeBasic(bytes.NewReader(wav), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(benchSeconds/(b.Elapsed().Seconds()/float64(b.N)), "x_realtime")
}

// BenchmarkAnalyze runs Open + Analyze (full master feature set) on the same
// 3-minute 44.1 kHz stereo WAV as BenchmarkAnalyzeBasic.
func BenchmarkAnalyze(b *testing.B) {
	wav := benchWAV()
	b.SetBytes(int64(len(wav)))
	b.ReportAllocs()
	for b.Loop() {
		d, c, err := Open(bytes.NewReader(wav), "b.wav", Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Analyze(d, Options{}); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
	b.ReportMetric(benchSeconds/(b.Elapsed().Seconds()/float64(b.N)), "x_realtime")
}

// BenchmarkSTFT1024 measures one windowed 1024-point power spectrum.
func BenchmarkSTFT1024(b *testing.B) {
	s := newSTFT(FrameSize)
	frame := make([]float32, FrameSize)
	pow := make([]float64, FrameSize/2+1)
	b.ReportAllocs()
	for b.Loop() {
		s.power(frame, pow)
	}
}

// BenchmarkAnalyzeFile analyses the file (any format OpenForAnalysis reads)
// named by $DSP_BENCH_WAV, streamed from the file as `worker analyze` does
// (under /usr/bin/time -v for peak RSS, see BENCHMARKS.md); it is skipped
// when the variable is unset.
func BenchmarkAnalyzeFile(b *testing.B) {
	path := os.Getenv("DSP_BENCH_WAV")
	if path == "" {
		b.Skip("DSP_BENCH_WAV is not set")
	}
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d, c, err := OpenForAnalysis(f, path, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		a, err := Analyze(d, Options{Stem: os.Getenv("DSP_BENCH_STEM")})
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
		f.Close()
		b.ReportMetric(a.Summary.Duration, "audio_s")
	}
}

// BenchmarkSTFT4096 measures one windowed 4096-point power spectrum (the
// chroma frame).
func BenchmarkSTFT4096(b *testing.B) {
	s := newSTFT(chromaSize)
	frame := make([]float32, chromaSize)
	pow := make([]float64, chromaSize/2+1)
	b.ReportAllocs()
	for b.Loop() {
		s.power(frame, pow)
	}
}

// BenchmarkKWeightStereo measures the stereo K-weighting of one input block
// (readBufFrames frames), as the input stage runs it.
func BenchmarkKWeightStereo(b *testing.B) {
	a := newLoudnessAcc(AnalysisRate, 2)
	x := make([]float32, 2*readBufFrames)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 0.2)
	}
	z := make([]float64, readBufFrames)
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		a.filter(x, z)
	}
}

// BenchmarkDecodeS16 measures the 16-bit PCM decoding of one stereo input
// block; BenchmarkDecodeF32 the float decoding ffmpeg's output goes through.
func BenchmarkDecodeS16(b *testing.B) {
	dst := make([]float32, 2*readBufFrames)
	src := make([]byte, 2*len(dst))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		decodeS16(dst, src)
	}
}

// BenchmarkDecodeF32 is BenchmarkDecodeS16 for 32-bit float samples.
func BenchmarkDecodeF32(b *testing.B) {
	dst := make([]float32, 2*readBufFrames)
	src := make([]byte, 4*len(dst))
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		decodeF32(dst, src)
	}
}

// BenchmarkMixDownStereo measures the stereo mix-down of one input block.
func BenchmarkMixDownStereo(b *testing.B) {
	src := make([]float32, 2*readBufFrames)
	dst := make([]float32, readBufFrames)
	b.SetBytes(int64(4 * len(src)))
	for b.Loop() {
		mixDown(src, 2, dst)
	}
}
