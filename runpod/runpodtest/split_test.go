package runpodtest

import (
	"context"
	"testing"

	"phonoglyph/runpod"
	"phonoglyph/wavtest"
)

func TestSplitBandsAddUpToTheMix(t *testing.T) {
	mix := wavtest.Sine(44100, 2, 0.1, 15000, 0.2)
	_, _, want, err := readPCM16(mix)
	if err != nil {
		t.Fatal(err)
	}
	for variant, names := range variants {
		in := runpod.Input{Variant: variant, Stems: names, Format: "wav"}
		stems, err := Split(context.Background(), in, mix)
		if err != nil {
			t.Fatalf("%s: %v", variant, err)
		}
		sum := make([]int, len(want))
		for _, name := range names {
			rate, channels, samples, err := readPCM16(stems[name])
			if err != nil || rate != 44100 || channels != 2 || len(samples) != len(want) {
				t.Fatalf("%s %s: %d Hz, %d channels, %d samples, %v", variant, name, rate, channels, len(samples), err)
			}
			for i, s := range samples {
				sum[i] += int(s)
			}
		}
		for i := range want {
			if sum[i] != int(want[i]) {
				t.Fatalf("%s: sample %d of the stems adds up to %d, the mix has %d", variant, i, sum[i], want[i])
			}
		}
		// A 15 kHz tone is mostly high band.
		if energy(t, stems["vocals"]) <= energy(t, stems[names[len(names)-1]]) {
			t.Errorf("%s: vocals carry less of a 15 kHz tone than the lowest band", variant)
		}
	}
}

func energy(t *testing.T, wav []byte) float64 {
	_, _, samples, err := readPCM16(wav)
	if err != nil {
		t.Fatal(err)
	}
	var e float64
	for _, s := range samples {
		e += float64(s) * float64(s)
	}
	return e
}

func TestReadPCM16RejectsBadFiles(t *testing.T) {
	good := wavtest.PCM16(8000, 1, []int16{1, 2, 3})
	float := append([]byte(nil), good...)
	float[20] = 3 // IEEE float format
	overrun := append([]byte(nil), good...)
	overrun[40] = 0xff // data chunk size beyond the file
	tests := map[string][]byte{
		"empty":     nil,
		"not riff":  []byte("ID3\x04 not a wav file"),
		"float":     float,
		"overrun":   overrun,
		"no data":   good[:36],
		"truncated": good[:12],
	}
	for name, data := range tests {
		if _, _, _, err := readPCM16(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if rate, channels, samples, err := readPCM16(good); err != nil || rate != 8000 || channels != 1 || len(samples) != 3 || samples[2] != 3 {
		t.Errorf("good: %d, %d, %v, %v", rate, channels, samples, err)
	}
}
