package visualizer

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// flashSeconds is how long the frame stays brightened after a beat.
	flashSeconds = 0.08
	// beatsPerBox caps the between() terms in one drawbox enable
	// expression; more beats are spread over several drawbox filters so no
	// single expression grows with the length of the track.
	beatsPerBox = 64
)

// graph describes the filtergraph to build; the audio comes from input 0
// and the video leaves on the [v] pad.
type graph struct {
	width, height, fps int
	beats              []float64
	// title (see cleanTitle) is drawn when fontFile and textFile, which
	// holds the same text, are set.
	title, fontFile, textFile string
}

// String returns the filtergraph in ffmpeg's syntax: a scrolling
// spectrogram (top two thirds) stacked over a mono oscilloscope, beat
// flashes, then the optional title.
func (g graph) String() string {
	specH := spectrumHeight(g.height)
	waveH := g.height - specH
	var b strings.Builder
	// One sample rate whatever the input's, so a frame size scrolls at one
	// speed for every track (184 columns a second at 720p).
	b.WriteString("[0:a:0]aresample=44100,asplit=2[sa][wa];")
	// Both branches end in an fps filter. showspectrum emits a frame per
	// column here; its own fps option can stall ffmpeg 5.1's filtergraph
	// for good (60 fps at 1080×1080, and 22.05 kHz mono at 720p, never
	// finished). showwaves only
	// approximates its rate (a frame holds width×n samples), and with
	// mismatched rates vstack's output rate makes ffmpeg duplicate frames
	// without end.
	fmt.Fprintf(&b, "[sa]showspectrum=s=%dx%d:slide=scroll:color=magma:scale=log:fscale=log:overlap=0.75,fps=%d[spec];",
		g.width, specH, g.fps)
	fmt.Fprintf(&b, "[wa]aformat=channel_layouts=mono,showwaves=s=%dx%d:mode=cline:rate=%d:colors=0x66ccff,fps=%d[wave];",
		g.width, waveH, g.fps, g.fps)
	b.WriteString("[spec][wave]vstack=inputs=2,format=yuv420p")
	for chunk := range slices.Chunk(g.beats, beatsPerBox) {
		b.WriteString(",drawbox=x=0:y=0:w=iw:h=ih:color=white@0.35:t=fill:enable='")
		for i, t := range chunk {
			if i > 0 {
				b.WriteByte('+')
			}
			fmt.Fprintf(&b, "between(t,%s,%s)", seconds(t), seconds(t+flashSeconds))
		}
		b.WriteByte('\'')
	}
	if g.fontFile != "" && g.textFile != "" {
		// About 0.65 em per character of DejaVu Sans Bold: long titles
		// shrink to fit the width.
		n := utf8.RuneCountInString(g.title)
		size := max(10, min(min(g.width, g.height)/18, int(1.3*float64(g.width)/float64(n))))
		fmt.Fprintf(&b, ",drawtext=fontfile=%s:textfile=%s:expansion=none:fontsize=%d:fontcolor=white:box=1:boxcolor=black@0.45:boxborderw=%d:x=(w-text_w)/2:y=%d",
			escapeOption(g.fontFile), escapeOption(g.textFile), size, size/3, g.height/25)
	}
	b.WriteString("[v]")
	return b.String()
}

// spectrumHeight returns the spectrogram's height for a frame height: the
// even number nearest two thirds of it whose odd part is 1, 3, 5, 7, 9 or
// 15. showspectrum runs FFTs of twice its height, and ffmpeg 5.1 has fast
// transforms only for those sizes: others (852 for a 640-pixel frame) fall
// back to a naive one that made the spectrogram alone 30–50× slower.
func spectrumHeight(height int) int {
	target := height * 2 / 3
	for d := 0; ; d++ {
		for _, h := range []int{target - d, target + d} {
			if h >= 2 && h%2 == 0 && fastFFTSize(h) {
				return h
			}
		}
	}
}

// fastFFTSize reports whether n is a power of two times 1, 3, 5, 7, 9 or
// 15.
func fastFFTSize(n int) bool {
	for n%2 == 0 {
		n /= 2
	}
	switch n {
	case 1, 3, 5, 7, 9, 15:
		return true
	}
	return false
}

// maxTitleRunes caps the title's length; longer ones end in an ellipsis.
const maxTitleRunes = 80

// cleanTitle turns control characters (newlines included) into spaces,
// trims the ends and caps the length of a title.
func cleanTitle(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
	if r := []rune(s); len(r) > maxTitleRunes {
		s = strings.TrimSpace(string(r[:maxTitleRunes-1])) + "…"
	}
	return s
}

// seconds formats a time for an ffmpeg expression.
func seconds(t float64) string {
	return strconv.FormatFloat(t, 'f', 3, 64)
}

// cleanBeats returns the finite beat times in [0, duration) (any
// non-negative time when duration is unknown), sorted and without
// duplicates.
func cleanBeats(beats []float64, duration float64) []float64 {
	var out []float64
	for _, t := range beats {
		if t >= 0 && !math.IsInf(t, 0) && (duration <= 0 || t < duration) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// escapeOption escapes a filter option value for both levels of ffmpeg's
// parsing: first the option string (where ' : and \ are special), then the
// filtergraph description (where ' \ [ ] , and ; are).
func escapeOption(s string) string {
	s = backslash(s, `\':`)
	return backslash(s, `\'[],;`)
}

// backslash puts a backslash before every character of s found in special.
func backslash(s, special string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fontDirs are searched, in order, for a font to draw the title with.
var fontDirs = []string{"/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "/System/Library/Fonts"}

// findFont returns a TrueType or OpenType font file, preferring DejaVu
// Sans Bold, or "" when the machine has none.
func findFont() string {
	const preferred = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
	if _, err := os.Stat(preferred); err == nil {
		return preferred
	}
	for _, dir := range fontDirs {
		var found string
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable or missing directories are skipped
			}
			if ext := strings.ToLower(filepath.Ext(path)); !d.IsDir() && (ext == ".ttf" || ext == ".otf") {
				found = path
				return fs.SkipAll
			}
			return nil
		})
		if found != "" {
			return found
		}
	}
	return ""
}
