package corpus

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// SampleRate is the rate every track is rendered at.
const SampleRate = 44100

// Renderer is a MIDI synthesiser and its instrument samples.
type Renderer struct {
	Kind      string `json:"kind"`      // "fluidsynth" or "timidity"
	SoundFont string `json:"soundfont"` // a .sf2/.sf3 file (fluidsynth), or a TiMidity config (timidity)
}

// Name is a short label: "fluidsynth/FluidR3_GM".
func (r Renderer) Name() string {
	return r.Kind + "/" + strings.TrimSuffix(filepath.Base(r.SoundFont), filepath.Ext(r.SoundFont))
}

// Renderers the sets draw from. Debian packages: fluid-soundfont-gm,
// timgm6mb-soundfont, musescore-general-soundfont-small,
// fluidr3mono-gm-soundfont, csound-soundfont (sf_GMbank), freepats.
var (
	FluidR3    = Renderer{"fluidsynth", "/usr/share/sounds/sf2/FluidR3_GM.sf2"}
	TimGM6mb   = Renderer{"fluidsynth", "/usr/share/sounds/sf2/TimGM6mb.sf2"}
	MuseScore  = Renderer{"fluidsynth", "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"}
	FluidMono  = Renderer{"fluidsynth", "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3"}
	CsoundGM   = Renderer{"fluidsynth", "/usr/share/sounds/sf2/sf_GMbank.sf2"}
	TimFreepat = Renderer{"timidity", "/etc/timidity/freepats.cfg"}
)

// Check reports what is missing to use the renderer.
func (r Renderer) Check() error {
	if _, err := exec.LookPath(r.Kind); err != nil {
		return fmt.Errorf("corpus: %s is not installed", r.Kind)
	}
	if _, err := os.Stat(r.SoundFont); err != nil {
		return fmt.Errorf("corpus: %s: %w", r.Name(), err)
	}
	return nil
}

// render synthesises a MIDI file to a WAV file (float or 24-bit, stereo, 44.1 kHz).
func (r Renderer) render(ctx context.Context, mid, wav string) error {
	var cmd *exec.Cmd
	switch r.Kind {
	case "fluidsynth":
		cmd = exec.CommandContext(ctx, "fluidsynth", "-ni", "-q", "-F", wav, "-T", "wav", "-O", "float",
			"-r", fmt.Sprint(SampleRate), "-g", "0.5", "-o", "synth.cpu-cores=1", r.SoundFont, mid)
	case "timidity":
		cmd = exec.CommandContext(ctx, "timidity", "-c", r.SoundFont, "-idq", "-Ow", "--output-24bit", "--output-stereo", "--preserve-silence",
			"-s", fmt.Sprint(SampleRate), "-o", wav, mid)
	default:
		return fmt.Errorf("corpus: unknown renderer %q", r.Kind)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("corpus: %s: %w: %s", r.Name(), err, strings.TrimSpace(string(out)))
	}
	return nil
}
