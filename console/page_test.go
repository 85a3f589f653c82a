package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"phonoglyph/auth"
)

// TestConsole drives the console in a real browser against the real
// system, as a newcomer would: sign in with one click, upload a song, watch
// its analysis finish, read the tempo and key, see the beats on the
// waveform, separate and play the stems, render and play a video; then
// come back (the session and the song's results are still there) and sign
// in as someone else with a pasted token. Nothing may land in the page's
// error list unless the test provoked it.
func TestConsole(t *testing.T) {
	sys := startSystem(t)
	song := renderSong(t)
	b := newBrowser(t)

	b.do(chromedp.Navigate(sys.URL + "/"))
	b.waitFor("the page to start", `document.body.dataset.ready === 'true'`, 10*time.Second)
	b.screenshot("signin", "")
	b.do(chromedp.Click(chromedp.ID("dev-signin")))
	b.waitFor("the one-click sign-in", `document.body.dataset.signedIn === 'true'`, 10*time.Second)
	// The API serves GET /api/v1/events: the page follows jobs over SSE.
	b.waitFor("the page to follow jobs over the event stream", `document.getElementById('live-mode').dataset.mode === 'stream'`, 10*time.Second)

	// A file that is not what its name says: the API refuses it and the
	// page shows the API's error code and message.
	bad := filepath.Join(t.TempDir(), "notes.wav")
	if err := os.WriteFile(bad, []byte("these are words, not samples"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{bad}), chromedp.Click(chromedp.ID("upload-button")))
	b.waitFor("the refusal of a text file named .wav", `document.querySelector('#alerts li[data-code="invalid"]')`, 10*time.Second)
	if text := eval[string](b, `document.getElementById('alerts').innerText`); !strings.Contains(text, "expected WAV audio") {
		t.Errorf("alert for a text file named .wav = %q, want the API's message", text)
	}
	b.do(chromedp.Click(chromedp.CSS("#alerts li button")))

	// The song: declare, PUT, complete, then the analysis job runs.
	b.do(chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{song}), chromedp.Click(chromedp.ID("upload-button")))
	b.waitFor("the analysis job to complete",
		`document.querySelector('#jobs-body tr[data-kind="audio_analysis"][data-status="completed"]')`, 30*time.Second)
	b.waitFor("the analysis to be drawn", `document.getElementById('analysis-body').dataset.drawn === 'true'`, 15*time.Second)
	if tempo := eval[string](b, `document.getElementById('summary-tempo').innerText`); !strings.Contains(tempo, "120") {
		t.Errorf("tempo shown = %q, want about 120 BPM", tempo)
	}
	if key := eval[string](b, `document.getElementById('summary-key').innerText`); !strings.Contains(key, "C major") {
		t.Errorf("key shown = %q, want C major", key)
	}
	fileID := eval[string](b, `new URLSearchParams(location.search).get('file')`)
	token := eval[string](b, `localStorage.getItem('phonoglyph.console.token')`)
	doc := analysisOf(t, sys, token, fileID)
	drawn := eval[map[string]int](b, `Object.fromEntries(Object.entries(document.getElementById('waveform').dataset).map(([k, v]) => [k, +v]))`)
	if len(doc.Beats) < 15 || drawn["beats"] != len(doc.Beats) {
		t.Errorf("waveform shows %d beats; the API's analysis has %d (a 10 s song at 120 BPM has about 20)", drawn["beats"], len(doc.Beats))
	}
	if drawn["onsets"] != len(doc.Onsets) || len(doc.Onsets) == 0 {
		t.Errorf("waveform shows %d onsets; the analysis has %d", drawn["onsets"], len(doc.Onsets))
	}
	if drawn["downbeats"] != len(doc.Downbeats) || drawn["sections"] != len(doc.Sections) {
		t.Errorf("waveform shows %d downbeats and %d sections; the analysis has %d and %d",
			drawn["downbeats"], drawn["sections"], len(doc.Downbeats), len(doc.Sections))
	}
	// Something was drawn on every chart the analysis has data for.
	for _, id := range []string{"waveform", "loudness", "spectral", "bands", "chroma", "spectrogram"} {
		if ink := eval[float64](b, inkShare(id)); ink < 0.02 {
			t.Errorf("canvas #%s is %.1f%% drawn, want a picture", id, 100*ink)
		}
	}
	b.screenshot("analysis", "#analysis")

	// Stems: separate, wait, and play one in the browser.
	b.do(chromedp.Click(chromedp.ID("stems-button")))
	b.waitFor("four stems that load", `(() => { const a = [...document.querySelectorAll('#stems-list audio')];
		return a.length === 4 && a.every((x) => x.readyState >= 1 && x.duration > 9); })()`, 40*time.Second)
	if played := eval[float64](b, playFor(`#stems-list audio[data-stem="drums"]`)); played <= 0 {
		t.Errorf("the drums stem did not play (currentTime %v)", played)
	}
	b.waitFor("the stems' own analyses", `[...document.querySelectorAll('#stems-list .meta')].every((m) => m.textContent.includes('LUFS'))`, 30*time.Second)
	b.screenshot("stems", "#stems")

	// A render: request it, follow it, play the MP4.
	b.do(chromedp.Click(chromedp.ID("render-button")))
	b.waitFor("the rendered video to load", `(() => { const v = document.getElementById('render-video');
		return !v.hidden && v.readyState >= 1 && v.duration > 9 && v.videoWidth > 0; })()`, 60*time.Second)
	if w := eval[int](b, `document.getElementById('render-video').videoWidth`); w != 1280 {
		t.Errorf("16:9 render is %d pixels wide, want 1280 (720p)", w)
	}
	if played := eval[float64](b, playFor(`#render-video`)); played <= 0 {
		t.Errorf("the video did not play (currentTime %v)", played)
	}
	b.waitFor("the render job row", `document.querySelector('#jobs-body tr[data-kind="render"][data-status="completed"]')`, 5*time.Second)
	seekTo(b, "#render-video", 4)
	b.screenshot("render", "#render")
	b.screenshot("songs", "#library")
	b.screenshot("jobs", "#jobs")
	noAlerts(t, b)

	// The same page at a phone's width redraws its charts to fit.
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	b.waitFor("charts redrawn at phone width", `(() => { const c = document.getElementById('waveform');
		return c.clientWidth < 390 && c.width === Math.round(c.clientWidth * devicePixelRatio); })()`, 5*time.Second)
	eval[bool](b, `(document.getElementById('analysis').scrollIntoView(), true)`)
	b.screenshot("phone", "viewport")
	b.do(chromedp.EmulateViewport(1280, 900))

	// Coming back: the saved token signs in, ?file= reopens the song, and its
	// stems and render are found again through the list endpoints.
	b.do(chromedp.Reload())
	b.waitFor("the saved session", `document.body.dataset.signedIn === 'true'`, 10*time.Second)
	b.waitFor("the song's analysis again", `document.getElementById('analysis-body').dataset.drawn === 'true'`, 10*time.Second)
	b.waitFor("its stems and render again", `document.querySelectorAll('#stems-list audio[src]').length === 4 &&
		document.getElementById('render-video').readyState >= 1`, 15*time.Second)
	noAlerts(t, b)

	// Someone else, with a pasted token: first a wrong one (shown, refused).
	b.do(chromedp.Click(chromedp.ID("sign-out")))
	b.waitFor("the sign-in form", `!document.getElementById('signin').hidden`, 5*time.Second)
	b.do(chromedp.SetValue(chromedp.ID("token-input"), "not-a-token"), chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)))
	b.waitFor("the refused token", `document.querySelector('#alerts li[data-code="unauthorized"]')`, 5*time.Second)
	other, err := auth.Mint(sys.secret, "", uuid.NewString(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SetValue(chromedp.ID("token-input"), other), chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)))
	b.waitFor("the pasted token's session", `document.body.dataset.signedIn === 'true'`, 10*time.Second)
	b.waitFor("another user's empty song list", `!document.getElementById('files-empty').hidden`, 5*time.Second)
	if n := eval[int](b, `document.querySelectorAll('#files li').length`); n != 0 {
		t.Errorf("another user sees %d songs, want none", n)
	}
	noAlerts(t, b)
}

// renderSong writes a 10 s WAV with sox: five bars at 120 BPM of plucked
// chords (C, Am, F, G, C) with an accented, kicked first beat.
func renderSong(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	chords := [][]string{{"C3", "E3", "G3", "C4"}, {"A2", "C3", "E3", "A3"}, {"F2", "A2", "C3", "F3"}, {"G2", "B2", "D3", "G3"}, {"C3", "E3", "G3", "C4"}}
	var bars []string
	for i, c := range chords {
		pluck := []string{}
		for _, n := range c {
			pluck = append(pluck, "pluck", n)
		}
		first := filepath.Join(dir, fmt.Sprintf("first%d.wav", i))
		rest := filepath.Join(dir, fmt.Sprintf("rest%d.wav", i))
		bar := filepath.Join(dir, fmt.Sprintf("bar%d.wav", i))
		sox(t, append(append([]string{"-n", "-r", "44100", "-c", "1", "-b", "16", first, "synth", "0.5"}, pluck...),
			"sine", "110:45", "remix", "-", "fade", "0", "0.5", "0.4", "gain", "-n", "-1")...)
		sox(t, append(append([]string{"-n", "-r", "44100", "-c", "1", "-b", "16", rest, "synth", "0.5"}, pluck...),
			"remix", "-", "fade", "0", "0.5", "0.4", "gain", "-n", "-7", "repeat", "2")...)
		sox(t, first, rest, bar)
		bars = append(bars, bar)
	}
	song := filepath.Join(dir, "song.wav")
	sox(t, append(bars, song)...)
	return song
}

func sox(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
		t.Fatalf("sox %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// analysisMarkers are the markers of the API's analysis document.
type analysisMarkers struct {
	Beats, Onsets, Downbeats []float64
	Sections                 []json.RawMessage
}

// analysisOf reads the master analysis of a file straight from the API.
func analysisOf(t *testing.T, sys *system, token, fileID string) analysisMarkers {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), "GET", sys.URL+"/api/v1/files/"+fileID+"/analysis?stem=master", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("analysis of %s: %s", fileID, res.Status)
	}
	var doc struct {
		AnalysisData analysisMarkers `json:"analysisData"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc.AnalysisData
}

// inkShare is a JavaScript expression: the share of a canvas's pixels that
// are not transparent.
func inkShare(id string) string {
	return fmt.Sprintf(`(() => { const c = document.getElementById(%q);
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
		return n / (c.width * c.height); })()`, id)
}

// playFor is a JavaScript expression that plays a media element (muted)
// until its time moves (at most 10 s: the machine may be busy) and answers
// how far it got.
func playFor(sel string) string {
	return fmt.Sprintf(`(async () => { const m = document.querySelector(%q); m.muted = true;
		await m.play(); const start = performance.now();
		while (m.currentTime === 0 && performance.now() - start < 10000) await new Promise((r) => setTimeout(r, 50));
		m.pause(); return m.currentTime; })()`, sel)
}

// seekTo shows a media element at second s (for a screenshot with a frame).
func seekTo(b *browser, sel string, s float64) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf(`(async () => { const m = document.querySelector(%q);
		await new Promise((r) => { m.addEventListener('seeked', r, { once: true }); m.currentTime = %v; }); return true; })()`, sel, s))
}

// noAlerts fails the test if the page shows an error the test did not provoke.
func noAlerts(t *testing.T, b *browser) {
	t.Helper()
	if text := eval[string](b, `document.getElementById('alerts').innerText`); text != "" {
		t.Errorf("the page shows errors: %q", text)
	}
}
