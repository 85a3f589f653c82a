package jobs

import (
	"strings"
	"testing"
)

// ffmpeg's stderr quoted in an error (temp paths, heap addresses, kilobytes
// of noise) used to reach users as the job error; they read one short line.
func TestHumanMessage(t *testing.T) {
	noise := "The audio file could not be analysed: ffmpeg cannot decode the audio: [mp3 @ 0x5581c2a4b2c0] Header missing\n" +
		"/tmp/phonoglyph/123-456/dsp-ffmpeg-889911: Invalid data found when processing input\n" + strings.Repeat("x", 5000)
	got := humanMessage(noise)
	if strings.Contains(got, "/tmp") || strings.Contains(got, "0x") || strings.Contains(got, "\n") || len(got) > maxMessage+len("…") {
		t.Fatalf("message = %q", got)
	}
	if !strings.HasPrefix(got, "The audio file could not be analysed: ffmpeg cannot decode the audio: Header missing") {
		t.Errorf("message lost its sense: %q", got)
	}
	if got := humanMessage("The MIDI file could not be read: truncated track 1."); got != "The MIDI file could not be read: truncated track 1." {
		t.Errorf("a plain message changed: %q", got)
	}
	long := humanMessage(strings.Repeat("é", 400))
	if !strings.HasSuffix(long, "…") || !strings.HasPrefix(long, "éé") || strings.ContainsRune(long, '\uFFFD') {
		t.Errorf("cut message = %q", long)
	}
}
