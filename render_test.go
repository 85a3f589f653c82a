package phonoglyph

import (
	"strings"
	"testing"
)

func TestRenderSize(t *testing.T) {
	for _, c := range []struct {
		aspect  string
		maxLong int
		w, h    int
	}{
		{"9:16", 0, 1080, 1920},
		{"", 0, 1080, 1920},
		{"16:9", 0, 1920, 1080},
		{"1:1", 0, 1080, 1080},
		{"landscape", 0, 1920, 1200},
		{" Landscape ", 0, 1920, 1200},
		{"4:3", 0, 1920, 1440},
		{"3:4", 0, 1440, 1920},
		{"2.39:1", 0, 1920, 804},
		{"21:9", 0, 1920, 822},
		{"8:1", 0, 1920, 240},
		{"9:16", 1280, 720, 1280},
		{"16:9", 1280, 1280, 720},
		{"1:1", 1280, 1080, 1080},
		{"1:1", 720, 720, 720},
		{"landscape", 1280, 1280, 800},
		{"16:9", 854, 854, 480},
		{"16:9", 855, 854, 480},
		{"4:3", 1280, 1280, 960},
		{"9:16", 1920, 1080, 1920},
		{"9:16", 640, 360, 640},
	} {
		w, h, err := RenderSize(c.aspect, c.maxLong)
		if err != nil || w != c.w || h != c.h {
			t.Errorf("RenderSize(%q, %d) = %d×%d, %v; want %d×%d", c.aspect, c.maxLong, w, h, err, c.w, c.h)
		}
		if w%2 != 0 || h%2 != 0 {
			t.Errorf("RenderSize(%q, %d) = %d×%d: odd side", c.aspect, c.maxLong, w, h)
		}
	}
}

func TestRenderSizeInvalid(t *testing.T) {
	for _, aspect := range []string{"16x9", "portrait", "16:", ":9", "0:1", "-16:9", "16:0", "NaN:1", "Inf:1", "a:b", "9:1", "1:9", "1e308:1e308", "1e-9:1e-9", "20000:10000"} {
		if w, h, err := RenderSize(aspect, 1280); err == nil || !strings.Contains(err.Error(), "aspect_ratio") {
			t.Errorf("RenderSize(%q) = %d×%d, %v; want an error naming aspect_ratio", aspect, w, h, err)
		}
	}
}
