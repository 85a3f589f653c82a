package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Version names the generator's output. Bump it whenever a change alters
// any generated file, so caches of the old output are never mixed in.
const Version = "v4"

// Formats are the upload formats every mix is encoded in, with their
// ffmpeg arguments. "wav" is the 24-bit mix itself.
var Formats = []struct{ Ext, Args string }{
	{"flac", "-c:a flac"},
	{"mp3", "-c:a libmp3lame -b:a 192k"},
	{"ogg", "-c:a libvorbis -q:a 5"},
	{"m4a", "-c:a aac -b:a 192k"},
}

// CacheDir returns ~/.cache/phonoglyph/corpus/<Version> (XDG_CACHE_HOME is
// honoured).
func CacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "phonoglyph", "corpus", Version), nil
}

// Track is one item of a set: how to make it.
type Track struct {
	ID   string
	make func(ctx context.Context, dir string) (*Truth, error)
}

// Build makes the track in dir/<id> unless its truth.json is already there,
// and returns its truth. The track is built in a temporary directory of its
// own that is renamed into place, so an interrupted build leaves no half
// track behind and two processes building the same set (a test and a
// benchmark, say) never remove each other's work: the first to finish wins.
func (t Track) Build(ctx context.Context, setDir string) (*Truth, error) {
	dir := filepath.Join(setDir, t.ID)
	if tr, err := ReadTruth(dir); err == nil {
		return tr, nil
	}
	if err := os.MkdirAll(setDir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(setDir, t.ID+".tmp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	tr, err := t.make(ctx, tmp)
	if err == nil {
		err = writeJSON(filepath.Join(tmp, "truth.json"), tr)
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", t.ID, err)
	}
	if done, err := ReadTruth(dir); err == nil {
		return done, nil // another process finished it meanwhile
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", t.ID, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", t.ID, err)
	}
	return tr, nil
}

// ReadTruth reads dir/truth.json.
func ReadTruth(dir string) (*Truth, error) {
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		return nil, err
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &t, nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// generated returns the Track that arranges, renders and mixes spec.
func generated(spec Spec) Track {
	return Track{ID: spec.ID, make: func(ctx context.Context, dir string) (*Truth, error) {
		s, err := arrange(spec)
		if err != nil {
			return nil, err
		}
		s.humanize()
		mid, err := s.midiFile()
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "song.mid"), mid, 0o644); err != nil {
			return nil, err
		}
		tr, err := s.truth(mid)
		if err != nil {
			return nil, err
		}
		stemMIDI := map[string][]byte{}
		for _, stem := range Stems {
			if tr.Notes[stem] == 0 {
				continue
			}
			if stemMIDI[stem], err = s.midiFile(stem); err != nil {
				return nil, err
			}
		}
		peakDB := 1 + 5*newRand(spec.Seed, "level").Float64()
		if err := renderStems(ctx, dir, spec.Renderer, stemMIDI, peakDB, tr); err != nil {
			return nil, err
		}
		return tr, nil
	}}
}

// renderStems renders each stem's MIDI, mixes (the mix peaking peakDB below
// full scale), encodes the mix in every format and the stems as FLAC, and
// fills in the truth's files, gain and duration.
func renderStems(ctx context.Context, dir string, r Renderer, stemMIDI map[string][]byte, peakDB float64, tr *Truth) error {
	if err := r.Check(); err != nil {
		return err
	}
	raw := make([]string, len(Stems))
	for i, stem := range Stems {
		m, ok := stemMIDI[stem]
		if !ok {
			continue
		}
		mid := filepath.Join(dir, "midi", stem+".mid")
		if err := os.MkdirAll(filepath.Dir(mid), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(mid, m, 0o644); err != nil {
			return err
		}
		raw[i] = filepath.Join(dir, stem+".raw.wav")
		if err := r.render(ctx, mid, raw[i]); err != nil {
			return err
		}
	}
	st, err := measure(raw)
	if err != nil {
		return err
	}
	if st.sumPeak == 0 {
		return errors.New("the rendered stems are silent")
	}
	gain := math.Min(math.Pow(10, -peakDB/20)/st.sumPeak, 0.99/st.maxStem)
	outs := make([]string, len(Stems))
	for i, stem := range Stems {
		outs[i] = filepath.Join(dir, "stems", stem+".wav")
	}
	if err := os.MkdirAll(filepath.Join(dir, "stems"), 0o755); err != nil {
		return err
	}
	mix := filepath.Join(dir, "mix.wav")
	if err := writeStemsAndMix(raw, outs, mix, gain, st.frames); err != nil {
		return err
	}
	for _, p := range raw {
		if p != "" {
			os.Remove(p)
		}
	}
	tr.Gain, tr.Duration = gain, float64(st.frames)/SampleRate
	tr.Files, tr.Stems = map[string]string{"wav": "mix.wav"}, map[string]string{}
	for i, stem := range Stems {
		flac := filepath.Join("stems", stem+".flac")
		if err := ffmpeg(ctx, outs[i], filepath.Join(dir, flac), "-c:a flac"); err != nil {
			return err
		}
		os.Remove(outs[i])
		tr.Stems[stem] = flac
	}
	for _, f := range Formats {
		name := "mix." + f.Ext
		if err := ffmpeg(ctx, mix, filepath.Join(dir, name), f.Args); err != nil {
			return err
		}
		tr.Files[f.Ext] = name
	}
	return nil
}

// ffmpeg encodes in to out with the given codec arguments.
func ffmpeg(ctx context.Context, in, out, args string) error {
	cmd := exec.CommandContext(ctx, "ffmpeg", append(append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-threads", "1", "-i", in}, strings.Fields(args)...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg %s: %w: %s", filepath.Base(out), err, strings.TrimSpace(string(b)))
	}
	return nil
}
