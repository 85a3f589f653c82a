package visualizer

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestGraphBeatsChunked(t *testing.T) {
	beats := make([]float64, 150)
	for i := range beats {
		beats[i] = float64(i) * 0.5
	}
	s := graph{width: 1280, height: 720, fps: 30, beats: beats}.String()
	if n := strings.Count(s, "drawbox="); n != 3 {
		t.Errorf("%d drawbox filters for 150 beats, want 3", n)
	}
	if n := strings.Count(s, "between(t,"); n != 150 {
		t.Errorf("%d between() terms, want 150", n)
	}
	for _, want := range []string{"between(t,1.500,1.580)", "showspectrum=s=1280x480:", "showwaves=s=1280x240:", "fps=30", "[v]"} {
		if !strings.Contains(s, want) {
			t.Errorf("graph lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "drawtext") {
		t.Error("drawtext without a title")
	}
}

func TestCleanBeats(t *testing.T) {
	got := cleanBeats([]float64{2, -1, math.NaN(), 1, math.Inf(1), 2, 0, 9.5, 10}, 10)
	if want := []float64{0, 1, 2, 9.5}; !slices.Equal(got, want) {
		t.Errorf("cleanBeats = %v, want %v", got, want)
	}
}

func TestEscapeOption(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/share/fonts/a.ttf": "/usr/share/fonts/a.ttf",
		"/tmp/a:b":               `/tmp/a\\:b`,
		"it's":                   `it\\\'s`,
		`back\slash`:             `back\\\\slash`,
		"[x],y;z":                `\[x\]\,y\;z`,
	} {
		if got := escapeOption(in); got != want {
			t.Errorf("escapeOption(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpectrumHeight(t *testing.T) {
	for height, want := range map[int]int{16: 10, 360: 240, 640: 448, 720: 480, 800: 512, 1080: 768, 1200: 768, 1280: 896, 1920: 1280} {
		got := spectrumHeight(height)
		if got != want {
			t.Errorf("spectrumHeight(%d) = %d, want %d", height, got, want)
		}
		if !fastFFTSize(2*got) || got%2 != 0 || got >= height {
			t.Errorf("spectrumHeight(%d) = %d: not an even fast size below the frame height", height, got)
		}
	}
}

func TestCleanTitle(t *testing.T) {
	long := strings.Repeat("é", 100)
	for in, want := range map[string]string{
		"  Song\tTitle\n":  "Song Title",
		"\n\r":             "",
		"Bob's [mix], 50%": "Bob's [mix], 50%",
		long:               strings.Repeat("é", maxTitleRunes-1) + "…",
	} {
		if got := cleanTitle(in); got != want {
			t.Errorf("cleanTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGraphTitle(t *testing.T) {
	g := graph{width: 720, height: 1280, fps: 30, title: "Hello", fontFile: "/fonts/a:b.ttf", textFile: "/tmp/t.txt"}
	s := g.String()
	if !strings.Contains(s, `drawtext=fontfile=/fonts/a\\:b.ttf:textfile=/tmp/t.txt:expansion=none:fontsize=40:`) {
		t.Errorf("drawtext missing or wrong:\n%s", s)
	}
	g.title = strings.Repeat("W", 80)
	if s := g.String(); !strings.Contains(s, ":fontsize=11:") {
		t.Errorf("a long title should shrink to fit 720 pixels:\n%s", s)
	}
}
