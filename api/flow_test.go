package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"phonoglyph/eventually"
	"phonoglyph/storage"
	"phonoglyph/wavtest"
)

// waitJob polls GET /jobs/{id} like the frontend until the job finishes.
func (e *env) waitJob(token, id string) map[string]any {
	e.t.Helper()
	var job map[string]any
	eventually.True(e.t, 30*time.Second, "job "+id+" finishes", func() bool {
		res := e.do("GET", "/api/v1/jobs/"+id, token, nil)
		if res.Status != http.StatusOK {
			e.t.Fatalf("GET job: %d %s", res.Status, res.Body)
		}
		res.JSON(e.t, &job)
		return job["status"] == "completed" || job["status"] == "failed" || job["status"] == "cancelled"
	})
	return job
}

// waitGone waits until the cleanup job has removed an object.
func (e *env) waitGone(key string) {
	e.t.Helper()
	eventually.True(e.t, 10*time.Second, "object "+key+" is deleted after its row", func() bool {
		_, err := e.blobs.Head(context.Background(), key)
		return errors.Is(err, storage.ErrNotFound)
	})
}

// waitCleanups waits until no blob cleanup job is left to run.
func (e *env) waitCleanups() {
	e.t.Helper()
	eventually.True(e.t, 10*time.Second, "cleanup jobs ran", func() bool {
		var n int
		err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
			WHERE kind = 'blob_cleanup' AND state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&n)
		return err == nil && n == 0
	})
}

// The whole flow through HTTP, on both blob backends: with S3 the upload and
// download URLs are presigned URLs of the S3 server itself.
func TestUploadCompleteAnalyseRead(t *testing.T) {
	t.Run("local", func(t *testing.T) { uploadCompleteAnalyseRead(t, newEnv(t)) })
	t.Run("s3", func(t *testing.T) { uploadCompleteAnalyseRead(t, newS3Env(t)) })
}

func uploadCompleteAnalyseRead(t *testing.T, e *env) {
	e.startWorker()
	token := e.user()
	const rate, seconds, amp = 44100, 3.0, 0.5
	wav := wavtest.Sine(rate, 2, seconds, 440, amp)

	u, res := e.upload(token, "My Song (final).wav", "audio/wav", wav)
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	var done struct {
		File struct {
			UploadStatus string `json:"upload_status"`
		} `json:"file"`
		Jobs []struct{ ID, Kind, Status string }
	}
	res.JSON(t, &done)
	if done.File.UploadStatus != "completed" || len(done.Jobs) != 1 || done.Jobs[0].Kind != "audio_analysis" || done.Jobs[0].Status != "queued" {
		t.Fatalf("completion = %s", res.Body)
	}

	job := e.waitJob(token, done.Jobs[0].ID)
	if job["status"] != "completed" || job["progress"] != float64(100) || job["file_id"] != u.ID {
		t.Fatalf("job = %v", job)
	}

	res = e.do("GET", "/api/v1/files/"+u.ID+"/analysis?stem=master", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("analysis: %d %s", res.Status, res.Body)
	}
	var doc struct {
		FileMetadataID string `json:"fileMetadataId"`
		StemType       string `json:"stemType"`
		AnalysisData   struct {
			FrameTimes []float64 `json:"frameTimes"`
			RMS        []float64 `json:"rms"`
			Loudness   []float64 `json:"loudness"`
			Centroid   []float64 `json:"spectralCentroid"`
			Chroma     []struct {
				Pitch int `json:"pitch"`
			} `json:"chroma"`
			Summary struct {
				Channels     int     `json:"channels"`
				PeakDBFS     float64 `json:"peak_dbfs"`
				LoudnessLUFS float64 `json:"loudness_lufs"`
			} `json:"summary"`
		} `json:"analysisData"`
		WaveformData struct {
			Points []float64 `json:"points"`
		} `json:"waveformData"`
		Metadata struct {
			SampleRate int     `json:"sampleRate"`
			Duration   float64 `json:"duration"`
			BufferSize int     `json:"bufferSize"`
		} `json:"metadata"`
	}
	res.JSON(t, &doc)
	wantFrames := (int(seconds*rate)-1024)/512 + 1
	switch {
	case doc.FileMetadataID != u.ID || doc.StemType != "master":
		t.Errorf("identity = %s/%s", doc.FileMetadataID, doc.StemType)
	case doc.Metadata.SampleRate != rate || math.Abs(doc.Metadata.Duration-seconds) > 1e-9 || doc.Metadata.BufferSize != 1024:
		t.Errorf("metadata = %+v", doc.Metadata)
	case doc.AnalysisData.Summary.Channels != 2 || math.Abs(doc.AnalysisData.Summary.PeakDBFS-20*math.Log10(amp)) > 0.01:
		t.Errorf("summary = %+v", doc.AnalysisData.Summary)
	case len(doc.AnalysisData.Loudness) != wantFrames || len(doc.AnalysisData.Centroid) != wantFrames || len(doc.AnalysisData.Chroma) == 0:
		t.Errorf("series: %d loudness, %d centroid, %d chroma", len(doc.AnalysisData.Loudness), len(doc.AnalysisData.Centroid), len(doc.AnalysisData.Chroma))
	case len(doc.AnalysisData.RMS) != wantFrames || len(doc.AnalysisData.FrameTimes) != wantFrames:
		t.Errorf("frames = %d rms, %d times; want %d", len(doc.AnalysisData.RMS), len(doc.AnalysisData.FrameTimes), wantFrames)
	case len(doc.WaveformData.Points) != 1024:
		t.Errorf("waveform points = %d", len(doc.WaveformData.Points))
	default:
		if got := doc.AnalysisData.FrameTimes[2]; math.Abs(got-1024.0/rate) > 1e-9 {
			t.Errorf("frameTimes[2] = %v, want %v", got, 1024.0/rate)
		}
		for i, v := range doc.AnalysisData.RMS {
			if math.Abs(v-amp/math.Sqrt2) > 0.01 {
				t.Fatalf("rms[%d] = %v, want %v", i, v, amp/math.Sqrt2)
			}
		}
		if mid := doc.AnalysisData.Centroid[wantFrames/2]; math.Abs(mid-440)/440 > 0.05 {
			t.Errorf("centroid of a 440 Hz sine = %v", mid)
		}
		if p := doc.AnalysisData.Chroma[len(doc.AnalysisData.Chroma)/2].Pitch; p != 9 { // A
			t.Errorf("dominant pitch class of A4 = %d, want 9", p)
		}
	}

	res = e.do("GET", "/api/v1/files/"+u.ID, token, nil)
	var file struct {
		File struct {
			Key string `json:"s3_key"`
		} `json:"file"`
	}
	res.JSON(t, &file)
	if res.Status != http.StatusOK || file.File.Key == "" {
		t.Fatalf("get file: %d %s", res.Status, res.Body)
	}

	// The analysis left a waveform thumbnail.
	res = e.do("GET", "/api/v1/files/"+u.ID+"/thumbnail", token, nil)
	if png := e.do("GET", res.Header.Get("Location"), "", nil); res.Status != http.StatusFound || !bytes.HasPrefix(png.Body, []byte("\x89PNG")) {
		t.Errorf("thumbnail: %d, %d bytes", res.Status, len(png.Body))
	}

	// Download: a redirect to a signed URL serving the same bytes.
	res = e.do("GET", "/api/v1/files/"+u.ID+"/download", token, nil)
	if res.Status != http.StatusFound {
		t.Fatalf("download: %d %s", res.Status, res.Body)
	}
	got := e.do("GET", res.Header.Get("Location"), "", nil)
	if got.Status != http.StatusOK || !bytes.Equal(got.Body, wav) {
		t.Fatalf("signed download: %d, %d bytes", got.Status, len(got.Body))
	}

	// Delete: row, analysis and object go.
	if res := e.do("DELETE", "/api/v1/files/"+u.ID, token, nil); res.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	if res := e.do("GET", "/api/v1/files/"+u.ID, token, nil); res.Status != http.StatusNotFound {
		t.Errorf("after delete: %d", res.Status)
	}
	var n int
	if err := e.pool.QueryRow(context.Background(), "SELECT count(*) FROM audio_analysis_cache").Scan(&n); err != nil || n != 0 {
		t.Errorf("analysis rows after delete = %d (%v)", n, err)
	}
	e.waitGone(file.File.Key)
}

func TestAnalysisRequestIsIdempotentWhileQueued(t *testing.T) {
	e := newEnv(t) // no worker: jobs stay queued
	token := e.user()
	u, res := e.upload(token, "a.wav", "audio/wav", wavtest.Sine(8000, 1, 0.5, 440, 0.3))
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	var first struct{ Jobs []struct{ ID string } }
	res.JSON(t, &first)

	res = e.do("POST", "/api/v1/files/"+u.ID+"/analysis", token, nil)
	var again struct{ Job struct{ ID, Status string } }
	res.JSON(t, &again)
	if res.Status != http.StatusAccepted || again.Job.ID != first.Jobs[0].ID || again.Job.Status != "queued" {
		t.Fatalf("re-request: %d %s; want the queued job %s", res.Status, res.Body, first.Jobs[0].ID)
	}
	if res := e.do("GET", "/api/v1/files/"+u.ID+"/analysis", token, nil); res.Status != http.StatusAccepted {
		t.Errorf("analysis while queued: %d %s", res.Status, res.Body)
	}
	// Completing twice is harmless and enqueues nothing new.
	res = e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil)
	var twice struct{ Jobs []struct{ ID string } }
	res.JSON(t, &twice)
	if res.Status != http.StatusOK || len(twice.Jobs) != 1 || twice.Jobs[0].ID != first.Jobs[0].ID {
		t.Errorf("second completion: %d %s", res.Status, res.Body)
	}
	var riverJobs int
	if err := e.pool.QueryRow(context.Background(), "SELECT count(*) FROM river_job WHERE kind = 'audio_analysis'").Scan(&riverJobs); err != nil || riverJobs != 1 {
		t.Errorf("river jobs = %d (%v), want 1", riverJobs, err)
	}
}

// The job row and the River job commit together: every analysis row has its
// River job and the River job's args point back at the row.
func TestEnqueueIsTransactional(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	_, res := e.upload(token, "a.wav", "audio/wav", wavtest.Sine(8000, 1, 0.5, 440, 0.3))
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d", res.Status)
	}
	var orphans int
	err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audio_analysis_jobs a
		LEFT JOIN river_job r ON r.id = a.river_job_id AND r.args->>'job_id' = a.id::text WHERE r.id IS NULL`).Scan(&orphans)
	if err != nil || orphans != 0 {
		t.Errorf("analysis rows without their River job = %d (%v)", orphans, err)
	}
	var state rivertype.JobState
	if err := e.pool.QueryRow(context.Background(), "SELECT state FROM river_job").Scan(&state); err != nil || state != rivertype.JobStateAvailable {
		t.Errorf("river job state = %s (%v)", state, err)
	}
}

// The same bytes uploaded by another user are analysed once: the second
// analysis is copied from the content cache, served only to its owner, and
// survives the first owner deleting their file.
func TestAnalysisCacheByContent(t *testing.T) {
	e := newEnv(t)
	e.startWorker()
	wav := wavtest.Sine(22050, 1, 2, 330, 0.4)
	analyse := func(token string) (string, []byte) {
		u, res := e.upload(token, "same.wav", "audio/wav", wav)
		var done struct{ Jobs []struct{ ID string } }
		res.JSON(t, &done)
		e.waitJob(token, done.Jobs[0].ID)
		res = e.do("GET", "/api/v1/files/"+u.ID+"/analysis", token, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("analysis: %d %s", res.Status, res.Body)
		}
		var doc struct{ AnalysisData json.RawMessage }
		res.JSON(t, &doc)
		return u.ID, doc.AnalysisData
	}
	alice, bob := e.user(), e.user()
	aliceFile, first := analyse(alice)
	bobFile, second := analyse(bob)
	if !bytes.Equal(first, second) {
		t.Error("cached analysis differs from the original")
	}
	// One stored document and thumbnail for both files (issue 10 item 7).
	var rows, keys, thumbs int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT a.data_key), count(DISTINCT f.thumbnail_key)
		FROM audio_analysis_cache a JOIN file_metadata f ON f.id = a.file_metadata_id
		WHERE a.content_sha256 IS NOT NULL`).Scan(&rows, &keys, &thumbs); err != nil || rows != 2 || keys != 1 || thumbs != 1 {
		t.Errorf("rows %d, distinct data keys %d, thumbnails %d (%v); want 2, 1 and 1", rows, keys, thumbs, err)
	}
	var data, thumb string
	if err := e.pool.QueryRow(context.Background(), `SELECT a.data_key, f.thumbnail_key FROM audio_analysis_cache a
		JOIN file_metadata f ON f.id = a.file_metadata_id WHERE f.id = $1`, aliceFile).Scan(&data, &thumb); err != nil {
		t.Fatal(err)
	}
	if res := e.do("DELETE", "/api/v1/files/"+aliceFile, alice, nil); res.Status != http.StatusNoContent {
		t.Fatal(res.Status)
	}
	e.waitCleanups()
	for _, k := range []string{data, thumb} { // bob still names them
		if _, err := e.blobs.Head(context.Background(), k); err != nil {
			t.Errorf("shared object %s after alice deleted her file: %v", k, err)
		}
	}
	if res := e.do("GET", "/api/v1/files/"+bobFile+"/analysis", bob, nil); res.Status != http.StatusOK {
		t.Errorf("bob's analysis after alice deleted hers: %d %s", res.Status, res.Body)
	}
	if res := e.do("GET", "/api/v1/files/"+bobFile+"/thumbnail", bob, nil); res.Status != http.StatusFound {
		t.Errorf("bob's thumbnail after alice deleted hers: %d %s", res.Status, res.Body)
	}
	if res := e.do("DELETE", "/api/v1/files/"+bobFile, bob, nil); res.Status != http.StatusNoContent {
		t.Fatal(res.Status)
	}
	e.waitGone(data) // the last reference went: both are freed
	e.waitGone(thumb)
}
