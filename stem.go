package phonoglyph

import "slices"

// Spleeter variants and the stems each produces.
var variantStems = map[string][]string{
	"2stems": {"vocals", "accompaniment"},
	"4stems": {"vocals", "drums", "bass", "other"},
	"5stems": {"vocals", "drums", "bass", "piano", "other"},
}

// StemConfig is what a person asks of a stem separation.
type StemConfig struct {
	ModelVariant string          `json:"model_variant"`
	Stems        map[string]bool `json:"stems,omitempty"`
	Quality      StemQuality     `json:"quality"`
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
		c.Stems = map[string]bool{}
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
func (c *StemConfig) WantedStems() []string {
	var out []string
	for _, s := range variantStems[c.ModelVariant] {
		if c.Stems[s] {
			out = append(out, s)
		}
	}
	return out
}
