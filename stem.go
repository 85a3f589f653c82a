package phonoglyph

import (
	"slices"
	"strings"
)

// StemType is what a track holds: the full mix (master) or one separated
// part of it. It selects the analysis feature set and labels stem files.
type StemType string

// The stem types a file may be labelled with.
const (
	StemMaster        StemType = "master"
	StemVocals        StemType = "vocals"
	StemDrums         StemType = "drums"
	StemBass          StemType = "bass"
	StemPiano         StemType = "piano"
	StemOther         StemType = "other"
	StemAccompaniment StemType = "accompaniment"
	StemMelody        StemType = "melody"
)

// StemTypes lists every stem type, in the order messages name them.
var StemTypes = []StemType{StemMaster, StemVocals, StemDrums, StemBass, StemPiano, StemOther, StemAccompaniment, StemMelody}

// Valid reports whether s is one of StemTypes.
func (s StemType) Valid() bool { return slices.Contains(StemTypes, s) }

// StemTypeList names every stem type, comma-separated, for messages.
func StemTypeList() string {
	names := make([]string, len(StemTypes))
	for i, s := range StemTypes {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Spleeter variants and the stems each produces.
var variantStems = map[string][]StemType{
	"2stems": {StemVocals, StemAccompaniment},
	"4stems": {StemVocals, StemDrums, StemBass, StemOther},
	"5stems": {StemVocals, StemDrums, StemBass, StemPiano, StemOther},
}

// StemConfig is what a person asks of a stem separation.
type StemConfig struct {
	ModelVariant string            `json:"model_variant"`
	Stems        map[StemType]bool `json:"stems,omitempty"`
	Quality      StemQuality       `json:"quality"`
}

// StemQuality is the output format of the stems.
type StemQuality struct {
	SampleRate   string `json:"sample_rate"`
	OutputFormat string `json:"output_format"`
}

// Normalize fills defaults (4stems, every stem of the variant, 44100, wav)
// and validates, naming the offending field.
func (c *StemConfig) Normalize() error {
	if c.ModelVariant == "" {
		c.ModelVariant = "4stems"
	}
	all, ok := variantStems[c.ModelVariant]
	if !ok {
		return Errorf(EINVALID, "config.model_variant: must be 2stems, 4stems or 5stems.")
	}
	if len(c.Stems) == 0 {
		c.Stems = map[StemType]bool{}
		for _, s := range all {
			c.Stems[s] = true
		}
	}
	wanted := 0
	for name, on := range c.Stems {
		if !slices.Contains(all, name) {
			return Errorf(EINVALID, "config.stems.%s: %s produces %v.", name, c.ModelVariant, all)
		}
		if on {
			wanted++
		} else {
			delete(c.Stems, name) // one spelling per config, so equal requests compare equal
		}
	}
	if wanted == 0 {
		return Errorf(EINVALID, "config.stems: ask for at least one stem.")
	}
	if c.Quality.SampleRate == "" {
		c.Quality.SampleRate = "44100"
	}
	if c.Quality.SampleRate != "44100" && c.Quality.SampleRate != "48000" {
		return Errorf(EINVALID, "config.quality.sample_rate: must be \"44100\" or \"48000\".")
	}
	if c.Quality.OutputFormat == "" {
		c.Quality.OutputFormat = "wav"
	}
	if c.Quality.OutputFormat != "wav" && c.Quality.OutputFormat != "mp3" {
		return Errorf(EINVALID, "config.quality.output_format: must be wav or mp3.")
	}
	return nil
}

// WantedStems lists the stems to keep, in the variant's order.
func (c *StemConfig) WantedStems() []StemType {
	var out []StemType
	for _, s := range variantStems[c.ModelVariant] {
		if c.Stems[s] {
			out = append(out, s)
		}
	}
	return out
}

// StemJob is a stem separation (table stem_separation_jobs).
type StemJob struct {
	Job
	UserID          string       `json:"-"`
	FileKey         string       `json:"-"`
	Config          StemConfig   `json:"config"`
	ExternalID      *string      `json:"-"` // RunPod's job id, once committed
	DispatchStarted bool         `json:"-"` // a RunPod submission was begun
	Results         *StemResults `json:"results"`
}

// StemResults are a finished separation's stems: name → new file id.
type StemResults struct {
	Stems map[StemType]string `json:"stems"`
}
