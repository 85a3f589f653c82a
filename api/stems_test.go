package api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"phonoglyph/dsp"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
	"phonoglyph/separate"
	"phonoglyph/wavtest"
)

// newRunPodEnv serves the API with separations dispatched to a RunPod
// stand-in that really fetches the source and PUTs the stems.
func newRunPodEnv(t *testing.T, opt runpodtest.Options, policy runpod.Policy) (*env, *runpodtest.Server) {
	rp := runpodtest.Start(t, opt)
	client, err := runpod.New(rp.Config())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(d *jobs.Deps) {
		d.Stems = jobs.StemDeps{RunPod: client, Poll: 30 * time.Millisecond, Policy: policy, LocalSeparate: separate.Separate}
	})
	return e, rp
}

// uploadSong uploads and completes a short stereo WAV.
func (e *env) uploadSong(token string) string {
	e.t.Helper()
	u, res := e.upload(token, "song.wav", "audio/wav", wavtest.Sine(22050, 2, 1, 220, 0.4))
	if res.Status != http.StatusOK {
		e.t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	return u.ID
}

type stemJob struct {
	ID       string
	Status   string
	Progress int
	Error    *string
	Results  *struct {
		Stems map[string]struct {
			FileID string `json:"file_id"`
		}
	}
}

func (e *env) requestStems(token, fileID string, config map[string]any) (stemJob, *response) {
	e.t.Helper()
	res := e.do("POST", "/api/v1/stem-jobs", token, map[string]any{"file_id": fileID, "config": config})
	var body struct{ Job stemJob }
	if res.Status == http.StatusCreated {
		res.JSON(e.t, &body)
	}
	return body.Job, res
}

func (e *env) waitStems(token, id string) stemJob {
	e.t.Helper()
	e.waitJob(token, id)
	var body struct{ Job stemJob }
	e.do("GET", "/api/v1/stem-jobs/"+id, token, nil).JSON(e.t, &body)
	return body.Job
}

// checkStems asserts the finished job's stems are decodable files of the
// caller, each with its own analysis.
func (e *env) checkStems(token string, j stemJob, want ...string) {
	e.t.Helper()
	if j.Status != "completed" || j.Results == nil || len(j.Results.Stems) != len(want) {
		e.t.Fatalf("stem job = %+v", j)
	}
	for _, name := range want {
		stem, ok := j.Results.Stems[name]
		if !ok {
			e.t.Fatalf("no %s stem in %+v", name, j.Results.Stems)
		}
		res := e.do("GET", "/api/v1/files/"+stem.FileID+"/download", token, nil)
		got := e.do("GET", res.Header.Get("Location"), "", nil)
		if _, err := dsp.AnalyzeBasic(bytes.NewReader(got.Body), dsp.Limits{}); err != nil {
			e.t.Errorf("stem %s is not a readable WAV: %v", name, err)
		}
		var f struct {
			File struct {
				StemType *string `json:"stem_type"`
				Parent   *string `json:"parent_file_id"`
			}
		}
		e.do("GET", "/api/v1/files/"+stem.FileID, token, nil).JSON(e.t, &f)
		if f.File.StemType == nil || *f.File.StemType != name || f.File.Parent == nil {
			e.t.Errorf("stem file %s = %+v", name, f.File)
		}
		eventually.True(e.t, 20*time.Second, "stem "+name+" is analysed", func() bool {
			return e.do("GET", "/api/v1/files/"+stem.FileID+"/analysis?stem="+name, token, nil).Status == http.StatusOK
		})
	}
}

func TestStemsViaRunPod(t *testing.T) {
	e, rp := newRunPodEnv(t, runpodtest.Options{QueueDelay: 50 * time.Millisecond, RunTime: 300 * time.Millisecond}, runpod.Policy{})
	e.startWorker()
	token := e.user()
	file := e.uploadSong(token)

	j, res := e.requestStems(token, file, map[string]any{"model_variant": "4stems"})
	if res.Status != http.StatusCreated || j.Status != "queued" {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	again, _ := e.requestStems(token, file, map[string]any{"model_variant": "4stems", "stems": map[string]bool{"vocals": true, "drums": true, "bass": true, "other": true}})
	if again.ID != j.ID {
		t.Errorf("same request while running made a second job %s (first %s)", again.ID, j.ID)
	}
	done := e.waitStems(token, j.ID)
	e.checkStems(token, done, "vocals", "drums", "bass", "other")
	if rp.Runs() != 1 {
		t.Errorf("RunPod submissions = %d, want 1", rp.Runs())
	}
	var list struct{ Jobs []stemJob }
	if e.do("GET", "/api/v1/stem-jobs", token, nil).JSON(t, &list); len(list.Jobs) != 1 || list.Jobs[0].ID != j.ID {
		t.Errorf("list = %+v", list.Jobs)
	}
	if res := e.do("GET", "/api/v1/stem-jobs/"+j.ID, e.user(), nil); res.Status != http.StatusNotFound {
		t.Errorf("another user's stem job: %d", res.Status)
	}
}

func TestStemConfigValidation(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	file := e.uploadSong(token)
	for field, cfg := range map[string]map[string]any{
		"config.model_variant":         {"model_variant": "3stems"},
		"config.stems.piano":           {"model_variant": "4stems", "stems": map[string]bool{"piano": true}},
		"config.stems":                 {"model_variant": "2stems", "stems": map[string]bool{"vocals": false}},
		"config.quality.sample_rate":   {"quality": map[string]any{"sample_rate": "22050"}},
		"config.quality.output_format": {"quality": map[string]any{"output_format": "flac"}},
	} {
		if _, res := e.requestStems(token, file, cfg); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), field) {
			t.Errorf("%s: %d %s", field, res.Status, res.Body)
		}
	}
	if _, res := e.requestStems(e.user(), file, map[string]any{}); res.Status != http.StatusBadRequest {
		t.Errorf("another user's file: %d %s", res.Status, res.Body)
	}
}

func TestStemsRunPodFailures(t *testing.T) {
	cases := []struct {
		name   string
		opt    runpodtest.Options
		policy runpod.Policy
		before func(rp *runpodtest.Server)
		during func(rp *runpodtest.Server, id string)
		want   string
	}{
		{name: "worker error", opt: runpodtest.Options{RunTime: 2 * time.Second},
			during: func(rp *runpodtest.Server, id string) { rp.FailJob(id, "CUDA out of memory") }, want: "CUDA out of memory"},
		{name: "completed with error", opt: runpodtest.Options{RunTime: 2 * time.Second},
			during: func(rp *runpodtest.Server, id string) { rp.CompleteWithError(id, "Stem separation failed.") }, want: "Stem separation failed"},
		{name: "expired after ttl", opt: runpodtest.Options{RunTime: 5 * time.Second}, policy: runpod.Policy{TTL: 200 * time.Millisecond}, want: "expired"},
		{name: "wrong api key", opt: runpodtest.Options{APIKey: "another-key"}, want: "misconfigured"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, rp := newRunPodEnv(t, c.opt, c.policy)
			if c.name == "wrong api key" {
				e, rp = newRunPodEnvWithKey(t, c.opt, "not-the-key")
			}
			e.startWorker()
			token := e.user()
			j, _ := e.requestStems(token, e.uploadSong(token), map[string]any{"model_variant": "2stems"})
			if c.during != nil {
				id := e.waitExternalID(j.ID)
				c.during(rp, id)
			}
			done := e.waitStems(token, j.ID)
			if done.Status != "failed" || done.Error == nil || !strings.Contains(*done.Error, c.want) {
				t.Fatalf("job = %+v, want failed mentioning %q", done, c.want)
			}
		})
	}
}

// newRunPodEnvWithKey points the client at the stand-in with a wrong key.
func newRunPodEnvWithKey(t *testing.T, opt runpodtest.Options, key string) (*env, *runpodtest.Server) {
	rp := runpodtest.Start(t, opt)
	cfg := rp.Config()
	cfg.APIKey = key
	client, err := runpod.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(d *jobs.Deps) { d.Stems = jobs.StemDeps{RunPod: client, Poll: 30 * time.Millisecond} })
	return e, rp
}

// waitExternalID waits until a stem job's RunPod id is committed.
func (e *env) waitExternalID(jobID string) string {
	e.t.Helper()
	var id *string
	eventually.True(e.t, 10*time.Second, "the RunPod id is committed", func() bool {
		if err := e.pool.QueryRow(context.Background(), "SELECT external_id FROM stem_separation_jobs WHERE id = $1", jobID).Scan(&id); err != nil {
			e.t.Fatal(err)
		}
		return id != nil
	})
	return *id
}

// Throttled submissions are retried; RunPod still gets exactly one job.
func TestStemsRunPodThrottled(t *testing.T) {
	e, rp := newRunPodEnv(t, runpodtest.Options{RunTime: 100 * time.Millisecond}, runpod.Policy{})
	rp.FailNext(2, http.StatusTooManyRequests)
	e.startWorker()
	token := e.user()
	j, _ := e.requestStems(token, e.uploadSong(token), map[string]any{"model_variant": "2stems"})
	e.checkStems(token, e.waitStems(token, j.ID), "vocals", "accompaniment")
	if rp.Runs() != 1 {
		t.Errorf("RunPod submissions = %d, want 1", rp.Runs())
	}
}

func TestCancelStemJob(t *testing.T) {
	e, rp := newRunPodEnv(t, runpodtest.Options{RunTime: 10 * time.Second}, runpod.Policy{})
	e.startWorker()
	token := e.user()
	j, _ := e.requestStems(token, e.uploadSong(token), map[string]any{})
	external := e.waitExternalID(j.ID)
	res := e.do("POST", "/api/v1/stem-jobs/"+j.ID+"/cancel", token, nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	if state, _ := rp.Job(external); state != runpod.StateCancelled {
		t.Errorf("RunPod job %s, want CANCELLED", state)
	}
	if job := e.waitJob(token, j.ID); job["status"] != "cancelled" {
		t.Errorf("job = %v", job)
	}
	if res := e.do("POST", "/api/v1/stem-jobs/"+j.ID+"/cancel", token, nil); res.Status != http.StatusConflict {
		t.Errorf("second cancel: %d", res.Status)
	}
}

// A worker killed while polling is replaced by another that resumes polling
// the same RunPod job: one submission, one set of stems.
func TestStemsSurviveAWorkerCrash(t *testing.T) {
	e, rp := newRunPodEnv(t, runpodtest.Options{RunTime: 700 * time.Millisecond}, runpod.Policy{})
	if err := e.worker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	token := e.user()
	j, _ := e.requestStems(token, e.uploadSong(token), map[string]any{"model_variant": "2stems"})
	e.waitExternalID(j.ID)
	if err := e.worker.Stop(context.Background(), 0); err != nil { // the crash
		t.Fatal(err)
	}
	if _, err := e.pool.Exec(context.Background(), "UPDATE river_job SET state = 'available', scheduled_at = now() WHERE kind = 'stem_separation' AND state <> 'completed'"); err != nil {
		t.Fatal(err)
	}
	replica, err := jobs.New(e.pool, discardLog(), e.deps, jobs.Config{Queues: map[string]int{"stem_separation": 1, "audio_analysis": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := replica.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer replica.Stop(context.Background(), 5*time.Second)
	e.checkStems(token, e.waitStems(token, j.ID), "vocals", "accompaniment")
	if rp.Runs() != 1 {
		t.Errorf("RunPod submissions = %d, want 1", rp.Runs())
	}
}

// A crash between marking the dispatch and committing RunPod's id leaves a
// job whose submission may or may not have happened: it fails with a clear
// message instead of ever submitting twice.
func TestStemsCrashMidSubmissionNeverResubmits(t *testing.T) {
	e, rp := newRunPodEnv(t, runpodtest.Options{}, runpod.Policy{})
	token := e.user()
	j, _ := e.requestStems(token, e.uploadSong(token), map[string]any{"model_variant": "2stems"})
	if _, err := e.pool.Exec(context.Background(), "UPDATE stem_separation_jobs SET status = 'processing', dispatch_started_at = now() WHERE id = $1", j.ID); err != nil {
		t.Fatal(err)
	}
	e.startWorker()
	done := e.waitStems(token, j.ID)
	if done.Status != "failed" || done.Error == nil || !strings.Contains(*done.Error, "interrupted") || rp.Runs() != 0 {
		t.Fatalf("job = %+v after %d submissions", done, rp.Runs())
	}
}

func TestStemsLocalSeparator(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	file := e.uploadSong(token)
	j, res := e.requestStems(token, file, map[string]any{"model_variant": "2stems"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	e.checkStems(token, e.waitStems(token, j.ID), "vocals", "accompaniment")

	// The local separator writes the requested rate and format too.
	j, _ = e.requestStems(token, file, map[string]any{"model_variant": "4stems", "quality": map[string]any{"output_format": "mp3", "sample_rate": "48000"}})
	done := e.waitStems(token, j.ID)
	if done.Status != "completed" || done.Results == nil || len(done.Results.Stems) != 4 {
		t.Fatalf("mp3 at 48 kHz with the local separator = %+v", done)
	}
	for name, stem := range done.Results.Stems {
		res := e.do("GET", "/api/v1/files/"+stem.FileID+"/download", token, nil)
		got := e.do("GET", res.Header.Get("Location"), "", nil)
		dec, closer, err := dsp.Open(bytes.NewReader(got.Body), name+".mp3", dsp.Limits{})
		if err != nil {
			t.Fatalf("stem %s is not a readable MP3: %v", name, err)
		}
		closer.Close()
		if rate := dec.Format().SampleRate; rate != 48000 {
			t.Errorf("stem %s at %d Hz, want 48000", name, rate)
		}
	}
}

// An MP3 upload is decoded and separated by the embedded separator too.
func TestStemsLocalSeparatorFromMP3(t *testing.T) {
	dir := t.TempDir()
	wavPath, mp3Path := filepath.Join(dir, "in.wav"), filepath.Join(dir, "in.mp3")
	if err := os.WriteFile(wavPath, wavtest.Sine(44100, 2, 1, 220, 0.4), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", wavPath, "-c:a", "libmp3lame", "-b:a", "128k", mp3Path).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg (apt-get install ffmpeg): %v %s", err, out)
	}
	mp3, err := os.ReadFile(mp3Path)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.startWorker()
	token := e.user()
	u, res := e.upload(token, "song.mp3", "audio/mpeg", mp3)
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	j, _ := e.requestStems(token, u.ID, map[string]any{"model_variant": "2stems"})
	e.checkStems(token, e.waitStems(token, j.ID), "vocals", "accompaniment")
}
