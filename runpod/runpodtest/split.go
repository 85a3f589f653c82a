package runpodtest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"phonoglyph/runpod"
	"phonoglyph/wavtest"
)

// Split is the default Options.Separate, a deterministic stand-in for
// Spleeter over 16-bit PCM WAV. It cuts the mix into as many frequency bands
// as the variant has stems, by differences of moving averages 4, 16, 64 and
// 256 frames wide, giving the highest band to vocals and the lowest to bass
// (accompaniment for 2stems), so the bands of a variant add up to the mix
// sample for sample unless one clips. Each requested stem is a WAV at the
// source's rate and channels: it does not resample to in.SampleRate, and
// writes wav only.
func Split(ctx context.Context, in runpod.Input, audio []byte) (map[string][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in.Format != "wav" {
		return nil, fmt.Errorf("runpodtest.Split writes wav only, not %q", in.Format)
	}
	names, ok := variants[in.Variant]
	if !ok {
		return nil, fmt.Errorf("unknown variant %q", in.Variant)
	}
	rate, channels, samples, err := readPCM16(audio)
	if err != nil {
		return nil, err
	}
	bands := split(samples, channels, len(names))
	stems := map[string][]byte{}
	for i, name := range names {
		if slices.Contains(in.Stems, name) {
			stems[name] = wavtest.PCM16(rate, channels, bands[i])
		}
	}
	return stems, nil
}

// split cuts interleaved samples into n bands, highest first: band i is the
// moving average 4^i frames wide minus the one 4^(i+1) wide (the mix itself
// is the average 1 frame wide, and the last band keeps the rest).
func split(samples []int16, channels, n int) [][]int16 {
	lows := make([][]int32, n+1)
	lows[0] = movingAverage(samples, channels, 1)
	for k := 1; k < n; k++ {
		lows[k] = movingAverage(samples, channels, 1<<(2*k))
	}
	lows[n] = make([]int32, len(samples))
	bands := make([][]int16, n)
	for i := range bands {
		bands[i] = make([]int16, len(samples))
		for s := range samples {
			bands[i][s] = int16(min(max(lows[i][s]-lows[i+1][s], -32768), 32767))
		}
	}
	return bands
}

// movingAverage averages each channel over the last width frames (fewer at
// the start), truncating toward zero.
func movingAverage(samples []int16, channels, width int) []int32 {
	out := make([]int32, len(samples))
	for c := range channels {
		var sum int64
		for i, frame := c, 0; i < len(samples); i, frame = i+channels, frame+1 {
			sum += int64(samples[i])
			count := frame + 1
			if frame >= width {
				sum -= int64(samples[i-width*channels])
				count = width
			}
			out[i] = int32(sum / int64(count))
		}
	}
	return out
}

// readPCM16 reads a 16-bit PCM WAV, trusting no length field beyond the
// bytes at hand.
func readPCM16(data []byte) (rate, channels int, samples []int16, err error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return 0, 0, nil, errors.New("the audio is not a WAV file")
	}
	var pcm []byte
	haveFormat, haveData := false, false
	for p := 12; p+8 <= len(data); {
		id, size := string(data[p:p+4]), binary.LittleEndian.Uint32(data[p+4:p+8])
		p += 8
		if uint64(size) > uint64(len(data)-p) {
			return 0, 0, nil, fmt.Errorf("the WAV chunk %q overruns the file", id)
		}
		body := data[p : p+int(size)]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return 0, 0, nil, errors.New("the WAV format chunk is short")
			}
			format, bits := binary.LittleEndian.Uint16(body[0:2]), binary.LittleEndian.Uint16(body[14:16])
			channels = int(binary.LittleEndian.Uint16(body[2:4]))
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
			if format != 1 || bits != 16 || channels == 0 || rate == 0 {
				return 0, 0, nil, errors.New("the WAV is not 16-bit PCM")
			}
			haveFormat = true
		case "data":
			pcm, haveData = body, true
		}
		p += int(size) + int(size&1)
	}
	if !haveFormat || !haveData {
		return 0, 0, nil, errors.New("the WAV has no format or no data chunk")
	}
	frames := len(pcm) / (2 * channels)
	samples = make([]int16, frames*channels)
	for i := range samples {
		samples[i] = int16(binary.LittleEndian.Uint16(pcm[2*i:]))
	}
	return rate, channels, samples, nil
}
