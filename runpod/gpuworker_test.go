package runpod_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"phonoglyph/dsp"
	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
	"phonoglyph/storage"
	"phonoglyph/storage/s3test"
	"phonoglyph/wavtest"
)

// The GPU worker's handler as the end-to-end test runs it: Debian's python3
// running runpod/worker/handler.py through the harness, which puts a fake
// RunPod SDK in place of the real one and a band separator in place of
// Spleeter.
const (
	python  = "/usr/bin/python3"
	harness = "worker/tests/harness/run_job.py"
)

// Tones of the source: the low one falls in the band the harness gives bass
// (4stems) and accompaniment (2stems), the high one in vocals.
const (
	lowTone  = 110.0
	highTone = 3000.0
	seconds  = 3.0
)

// gpuWorker is a stand-in endpoint whose GPU worker is the real handler, a
// client for it, and a real S3 server holding a two-tone source.
type gpuWorker struct {
	rp     *runpodtest.Server
	client *runpod.Client
	blobs  *storage.S3
	source string // key of the source
	frames int    // frames of the source
}

// newGPUWorker starts it all; env adds to the handler's environment.
func newGPUWorker(t *testing.T, blobs *storage.S3, env ...string) *gpuWorker {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("the GPU worker's tests need Debian's python3 with python3-numpy and ffmpeg (.ci/run installs them): %v", err)
	}
	rp := runpodtest.Start(t, runpodtest.Options{Worker: runpodtest.Process(func(ctx context.Context) *exec.Cmd {
		cmd := exec.CommandContext(ctx, python, harness)
		cmd.Env = append(os.Environ(), env...)
		return cmd
	})})
	client, err := runpod.New(rp.Config())
	if err != nil {
		t.Fatal(err)
	}
	w := &gpuWorker{rp: rp, client: client, blobs: blobs, source: "audio/u1/song.wav", frames: int(seconds * 44100)}
	samples := make([]int16, 0, 2*w.frames)
	for i := range w.frames {
		x := 0.3*math.Sin(2*math.Pi*lowTone*float64(i)/44100) + 0.3*math.Sin(2*math.Pi*highTone*float64(i)/44100)
		v := int16(math.Round(x * 32767))
		samples = append(samples, v, v)
	}
	song := wavtest.PCM16(44100, 2, samples)
	if err := blobs.Put(context.Background(), w.source, bytes.NewReader(song), int64(len(song)), "audio/wav"); err != nil {
		t.Fatal(err)
	}
	return w
}

// input asks for stems of key, each to stems/<prefix>/<stem>.<format>,
// presigned as the stem worker presigns them.
func (w *gpuWorker) input(t *testing.T, key, prefix, variant string, rate int, format string, stems ...string) runpod.Input {
	t.Helper()
	ctx := context.Background()
	get, err := w.blobs.SignGet(ctx, key, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	for _, s := range stems {
		put, err := w.blobs.SignPut(ctx, stemKey(prefix, s, format), runpod.ContentType(format), -1, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		outputs[s] = put.URL
	}
	return runpod.Input{AudioURL: get.URL, Model: "spleeter", Variant: variant, Stems: stems,
		SampleRate: rate, Format: format, Outputs: outputs}
}

func stemKey(prefix, stem, format string) string {
	return "stems/" + prefix + "/" + stem + "." + format
}

// run submits in and polls until the job ends, returning every status seen.
func (w *gpuWorker) run(t *testing.T, in runpod.Input) (string, []*runpod.Status) {
	t.Helper()
	ctx := context.Background()
	id, err := w.client.Run(ctx, in, runpod.Policy{ExecutionTimeout: 2 * time.Minute, TTL: 10 * time.Minute})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var seen []*runpod.Status
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s, err := w.client.Status(ctx, id)
		if err != nil {
			t.Fatalf("Status: %v", err)
		}
		seen = append(seen, s)
		if ended(s) {
			return id, seen
		}
	}
	t.Fatalf("job %s did not end; last status %+v", id, seen[len(seen)-1])
	return "", nil
}

// stem reads a stored stem: its content type, size and decoded samples.
func (w *gpuWorker) stem(t *testing.T, key string) (storage.Info, dsp.Format, []float32) {
	t.Helper()
	r, info, err := w.blobs.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	defer r.Close()
	d, closer, err := dsp.Open(r, key, dsp.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	defer closer.Close()
	var samples []float32
	buf := make([]float32, 8192)
	for {
		n, err := d.Read(buf)
		samples = append(samples, buf[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	return info, d.Format(), samples
}

// level is the amplitude of freq in the first channel of interleaved
// samples (Goertzel).
func level(samples []float32, channels, rate int, freq float64) float64 {
	k := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	n := 0
	for i := 0; i < len(samples); i += channels {
		s1, s2 = float64(samples[i])+k*s1-s2, s1
		n++
	}
	return 2 * math.Sqrt(s1*s1+s2*s2-k*s1*s2) / float64(n)
}

// TestGPUWorker runs the GPU worker's real handler (runpod/worker) as the
// stand-in endpoint's worker: the Go client submits and polls, the stand-in
// starts the handler per job and relays its progress_update values to
// /status and its result back, and the handler reads the source from and
// writes the stems to a real S3 server (versitygw) through presigned URLs
// signed as the stem worker signs them. The stems are read back with the
// project's own decoder. Only the Spleeter call itself is left to the image:
// the handler separates with a band filter here (the fake RunPod SDK and
// the band separator are in runpod/worker/tests/harness).
func TestGPUWorker(t *testing.T) {
	t.Parallel()
	blobs, err := storage.NewS3(context.Background(), s3test.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	w := newGPUWorker(t, blobs)

	t.Run("wav stems at the source rate, three of four", func(t *testing.T) {
		in := w.input(t, w.source, "wav", "4stems", 44100, "wav", "vocals", "bass", "drums")
		id, seen := w.run(t, in)
		last := seen[len(seen)-1]
		if msg, failed := last.Failed(); failed {
			t.Fatalf("the job failed: %s", msg)
		}
		if got := slices.Sorted(maps.Keys(last.Output.Stems)); !slices.Equal(got, []string{"bass", "drums", "vocals"}) {
			t.Fatalf("output stems %v", got)
		}
		levels := map[string][2]float64{}
		for _, name := range in.Stems {
			info, format, samples := w.stem(t, stemKey("wav", name, "wav"))
			if info.ContentType != "audio/wav" || info.Size != last.Output.Stems[name].Bytes {
				t.Errorf("%s: stored %s, %d bytes; the output says %d", name, info.ContentType, info.Size, last.Output.Stems[name].Bytes)
			}
			if format.SampleRate != 44100 || format.Channels != 2 || format.BitDepth != 16 || len(samples) != 2*w.frames {
				t.Errorf("%s: %+v, %d samples, want 44.1 kHz 16-bit stereo, %d", name, format, len(samples), 2*w.frames)
			}
			levels[name] = [2]float64{level(samples, 2, 44100, lowTone), level(samples, 2, 44100, highTone)}
		}
		// Each tone, at 0.3, lands whole in its band's stem.
		if l := levels["bass"]; math.Abs(l[0]-0.3) > 0.01 || l[1] > 0.001 {
			t.Errorf("bass: %.4f of %v Hz, %.4f of %v Hz", l[0], lowTone, l[1], highTone)
		}
		if l := levels["vocals"]; math.Abs(l[1]-0.3) > 0.01 || l[0] > 0.001 {
			t.Errorf("vocals: %.4f of %v Hz, %.4f of %v Hz", l[0], lowTone, l[1], highTone)
		}
		if l := levels["drums"]; l[0] > 0.001 || l[1] > 0.001 {
			t.Errorf("drums: %.4f of %v Hz, %.4f of %v Hz", l[0], lowTone, l[1], highTone)
		}
		if _, err := blobs.Head(context.Background(), stemKey("wav", "other", "wav")); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("other, not asked for: %v", err)
		}
		checkProgress(t, w.rp.Updates(id), seen, len(in.Stems))
	})

	t.Run("mp3 stems at 48 kHz", func(t *testing.T) {
		in := w.input(t, w.source, "mp3", "2stems", 48000, "mp3", "vocals", "accompaniment")
		_, seen := w.run(t, in)
		last := seen[len(seen)-1]
		if msg, failed := last.Failed(); failed {
			t.Fatalf("the job failed: %s", msg)
		}
		for name, tones := range map[string][2]float64{"vocals": {highTone, lowTone}, "accompaniment": {lowTone, highTone}} {
			info, format, samples := w.stem(t, stemKey("mp3", name, "mp3"))
			if info.ContentType != "audio/mpeg" || info.Size != last.Output.Stems[name].Bytes {
				t.Errorf("%s: stored %s, %d bytes; the output says %d", name, info.ContentType, info.Size, last.Output.Stems[name].Bytes)
			}
			frames := len(samples) / 2
			if format.SampleRate != 48000 || format.Channels != 2 || math.Abs(float64(frames)/48000-seconds) > 0.1 {
				t.Errorf("%s: %+v, %d frames, want 48 kHz stereo, %v s", name, format, frames, seconds)
			}
			own, other := level(samples, 2, 48000, tones[0]), level(samples, 2, 48000, tones[1])
			if own < 0.25 || other > 0.01 {
				t.Errorf("%s: %.4f of its %v Hz, %.4f of %v Hz", name, own, tones[0], other, tones[1])
			}
		}
	})

	// Failures end FAILED with the handler's message, which the client
	// passes on, and store nothing.
	notes := []byte(strings.Repeat("not audio at all ", 64))
	notAudio := "audio/u1/notes.wav"
	if err := blobs.Put(context.Background(), notAudio, bytes.NewReader(notes), int64(len(notes)), "audio/wav"); err != nil {
		t.Fatal(err)
	}
	failures := map[string]struct {
		in   func(t *testing.T, prefix string) runpod.Input
		want string
	}{
		"undecodable source": {func(t *testing.T, prefix string) runpod.Input {
			return w.input(t, notAudio, prefix, "2stems", 44100, "wav", "vocals")
		}, "stem separation failed at RunPod: The audio could not be decoded: Invalid data found when processing input."},
		"unknown variant": {func(t *testing.T, prefix string) runpod.Input {
			in := w.input(t, w.source, prefix, "2stems", 44100, "wav", "vocals")
			in.Variant = "3stems"
			return in
		}, `stem separation failed at RunPod: Unknown variant "3stems": expected 2stems, 4stems or 5stems.`},
		"upload signed for another content type": {func(t *testing.T, prefix string) runpod.Input {
			in := w.input(t, w.source, prefix, "2stems", 44100, "mp3", "vocals")
			put, err := blobs.SignPut(context.Background(), stemKey(prefix, "vocals", "mp3"), "audio/wav", -1, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			in.Outputs["vocals"] = put.URL
			return in
		}, "stem separation failed at RunPod: Uploading the vocals stem failed: the storage answered 403 Forbidden (SignatureDoesNotMatch)"},
	}
	for name, tt := range failures {
		t.Run(name, func(t *testing.T) {
			prefix := strings.ReplaceAll(name, " ", "-")
			in := tt.in(t, prefix)
			_, seen := w.run(t, in)
			last := seen[len(seen)-1]
			msg, failed := last.Failed()
			if last.State != runpod.StateFailed || !failed || !strings.HasPrefix(msg, tt.want) {
				t.Fatalf("ended %s with %q, want FAILED with %q", last.State, msg, tt.want)
			}
			if strings.Contains(msg, "X-Amz") || strings.Contains(msg, "://") {
				t.Errorf("the message shows a presigned URL: %s", msg)
			}
			for _, stem := range in.Stems {
				if _, err := blobs.Head(context.Background(), stemKey(prefix, stem, in.Format)); !errors.Is(err, storage.ErrNotFound) {
					t.Errorf("%s stored: %v", stem, err)
				}
			}
		})
	}

	t.Run("too long for the worker's limit", func(t *testing.T) {
		short := newGPUWorker(t, blobs, "MAX_AUDIO_SECONDS=2")
		_, seen := short.run(t, short.input(t, short.source, "long", "2stems", 44100, "wav", "vocals"))
		last := seen[len(seen)-1]
		want := "stem separation failed at RunPod: The audio is longer than 2 seconds, the longest this worker separates."
		if msg, _ := last.Failed(); last.State != runpod.StateFailed || msg != want {
			t.Fatalf("ended %s with %q, want FAILED with %q", last.State, msg, want)
		}
	})
}

// checkProgress checks the progress a job's worker reported: stages in the
// contract's order, each at least once, an upload per stem, the percentage
// never going back; and that /status showed it while the job ran.
func checkProgress(t *testing.T, updates []json.RawMessage, seen []*runpod.Status, stems int) {
	t.Helper()
	if len(updates) == 0 {
		t.Fatal("the worker reported no progress")
	}
	var stages []string
	var pcts []float64
	uploads := 0
	for _, raw := range updates {
		var p runpod.Progress
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("progress %s: %v", raw, err)
		}
		if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
			stages = append(stages, p.Stage)
		}
		if p.Stage == "uploading" {
			uploads++
		}
		pcts = append(pcts, p.Pct)
	}
	if !slices.Equal(stages, []string{"downloading", "separating", "uploading"}) || uploads != stems {
		t.Errorf("stages %v with %d uploads, from %s", stages, uploads, updates)
	}
	if !slices.IsSorted(pcts) || pcts[0] != 0 || pcts[len(pcts)-1] > 100 {
		t.Errorf("percentages %v", pcts)
	}
	polled := 0
	for _, s := range seen {
		if s.State == runpod.StateInProgress && s.Progress != nil {
			polled++
			if !slices.Contains([]string{"downloading", "separating", "uploading"}, s.Progress.Stage) {
				t.Errorf("/status showed progress %+v", *s.Progress)
			}
		}
	}
	if polled == 0 {
		t.Errorf("/status never showed progress in %d polls", len(seen))
	}
}
