package runpodtest

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"phonoglyph/runpod"
)

// variants lists the stems of each Spleeter variant, from the highest band
// Split gives them to the lowest.
var variants = map[string][]string{
	"2stems": {"vocals", "accompaniment"},
	"4stems": {"vocals", "drums", "other", "bass"},
	"5stems": {"vocals", "drums", "piano", "other", "bass"},
}

// validate checks in against the contract in package runpod.
func validate(in runpod.Input) error {
	if err := checkURL(in.AudioURL); err != nil {
		return fmt.Errorf("audio_url %w", err)
	}
	if in.Model != "spleeter" {
		return fmt.Errorf("model %q is not spleeter", in.Model)
	}
	names, ok := variants[in.Variant]
	if !ok {
		return fmt.Errorf("variant %q is not 2stems, 4stems or 5stems", in.Variant)
	}
	if len(in.Stems) == 0 {
		return errors.New("stems is empty")
	}
	for i, name := range in.Stems {
		if !slices.Contains(names, name) {
			return fmt.Errorf("stem %q is not one of %s of %s", name, strings.Join(names, ", "), in.Variant)
		}
		if slices.Contains(in.Stems[:i], name) {
			return fmt.Errorf("stem %q is listed twice", name)
		}
		if err := checkURL(in.Outputs[name]); err != nil {
			return fmt.Errorf("outputs.%s %w", name, err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(in.Outputs)) {
		if !slices.Contains(in.Stems, name) {
			return fmt.Errorf("outputs.%s is not a requested stem", name)
		}
	}
	if in.SampleRate != 44100 && in.SampleRate != 48000 {
		return fmt.Errorf("sample_rate %d is not 44100 or 48000", in.SampleRate)
	}
	if in.Format != "wav" && in.Format != "mp3" {
		return fmt.Errorf("format %q is not wav or mp3", in.Format)
	}
	return nil
}

// checkURL checks a presigned URL without repeating it: it is a credential.
func checkURL(s string) error {
	if s == "" {
		return errors.New("is missing")
	}
	if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("is not an absolute http(s) URL")
	}
	return nil
}
