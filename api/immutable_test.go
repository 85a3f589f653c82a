package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"phonoglyph/apitest"
	"phonoglyph/eventually"
	"phonoglyph/jobs"
	"phonoglyph/storage"
	"phonoglyph/wavtest"
)

// Issue 12, reproduction 1: an upload URL must not change a file once it is
// completed, on either blob backend. The genuine WAV is loud, the
// attacker's replacement of the same length quiet (or HTML), so the
// analysis tells which bytes were analysed.
func TestUploadIsImmutableAfterCompletion(t *testing.T) {
	for _, backend := range []struct {
		name string
		env  func(*testing.T) *env
	}{{"local", func(t *testing.T) *env { return newEnv(t) }}, {"s3", newS3Env}} {
		t.Run(backend.name, func(t *testing.T) {
			e := backend.env(t)
			e.startWorker()
			putAfterComplete(t, e, backend.name == "local")
			putRacingComplete(t, e)
		})
	}
}

// Issue 12, reproduction 1, exactly: the upload URL is written between the
// worker's hashing of the file and its decoding. The worker must still
// analyse the bytes it hashed, so another user uploading the genuine bytes
// gets their analysis from the cache, not the attacker's.
func TestCacheCannotBePoisonedBetweenHashAndDecode(t *testing.T) {
	for _, s3 := range []bool{false, true} {
		t.Run(map[bool]string{false: "local", true: "s3"}[s3], func(t *testing.T) {
			hook := &afterFirstRead{}
			e := envOf(t, apitest.Start(t, apitest.Options{S3: s3, Configure: []func(*jobs.Deps){func(d *jobs.Deps) {
				hook.Blobs, d.Blobs = d.Blobs, hook
			}}}))
			attacker, victim := e.user(), e.user()
			u := e.createFile(attacker, "song.wav", "audio/wav", len(genuineWAV))
			if res := e.put(u, genuineWAV); res.Status != http.StatusOK {
				t.Fatalf("PUT: %d %s", res.Status, res.Body)
			}
			hook.then = func() { t.Logf("PUT between hash and decode: %d", e.put(u, quietWAV).Status) }
			if res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", attacker, nil); res.Status != http.StatusOK {
				t.Fatalf("complete: %d %s", res.Status, res.Body)
			}
			e.startWorker()
			if peak := e.analysisPeak(attacker, u.ID); peak < 0.5 {
				t.Errorf("attacker's analysis peak %.2f: other bytes than those hashed were analysed", peak)
			}
			if !hook.fired.Load() {
				t.Fatal("the worker never read the file")
			}
			genuine, res := e.upload(victim, "song.wav", "audio/wav", genuineWAV)
			if res.Status != http.StatusOK {
				t.Fatalf("victim's complete: %d %s", res.Status, res.Body)
			}
			if peak := e.analysisPeak(victim, genuine.ID); peak < 0.5 {
				t.Errorf("victim's analysis of the genuine bytes has peak %.2f: the cache was poisoned", peak)
			}
			e.checkCacheConsistent()
		})
	}
}

// afterFirstRead runs then once the first object opened under audio/ (the
// worker hashing its input) has been read and closed.
type afterFirstRead struct {
	storage.Blobs
	then  func()
	fired atomic.Bool
}

func (a *afterFirstRead) Open(ctx context.Context, key string) (io.ReadCloser, storage.Info, error) {
	rc, info, err := a.Blobs.Open(ctx, key)
	if err != nil || !strings.HasPrefix(key, "audio/") || !a.fired.CompareAndSwap(false, true) {
		return rc, info, err
	}
	return &closeHook{ReadCloser: rc, then: a.then}, info, nil
}

type closeHook struct {
	io.ReadCloser
	then func()
}

func (c *closeHook) Close() error {
	err := c.ReadCloser.Close()
	c.then()
	return err
}

var (
	genuineWAV = wavtest.Sine(22050, 1, 1, 330, 0.8)
	quietWAV   = wavtest.Sine(22050, 1, 1, 330, 0.05) // same length, other bytes
)

// putAfterComplete PUTs HTML to the upload URL of a completed file: the
// local handler refuses it; S3 cannot, but the file no longer names that
// key. Either way the file's bytes and its analysis stay the genuine ones.
func putAfterComplete(t *testing.T, e *env, refused bool) {
	token := e.user()
	u, res := e.upload(token, "song.wav", "audio/wav", genuineWAV)
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	html := []byte("<html><script>alert(1)</script></html>")
	html = append(html, bytes.Repeat([]byte(" "), len(genuineWAV)-len(html))...)
	res = e.put(u, html)
	switch {
	case refused && res.Status != http.StatusForbidden:
		t.Errorf("PUT after complete: %d %s, want 403", res.Status, res.Body)
	case !refused && res.Status != http.StatusOK:
		t.Logf("PUT after complete: %d (S3 may accept it: the file names another key)", res.Status)
	}
	if got := e.download(token, u.ID); !bytes.Equal(got, genuineWAV) {
		t.Errorf("download after the PUT: %d bytes, %q…; want the genuine WAV", len(got), got[:min(16, len(got))])
	}
	if peak := e.analysisPeak(token, u.ID); peak < 0.5 {
		t.Errorf("analysis peak %.2f: not the genuine WAV's", peak)
	}
	e.checkCacheConsistent()
}

// putRacingComplete is the poisoning: a PUT of other bytes is in flight when
// /complete runs and ends right after it, while the worker hashes and
// analyses. Then another user uploads the genuine bytes (served from the
// content cache) and the attacker's bytes genuinely: each must get the
// analysis of its own bytes.
func putRacingComplete(t *testing.T, e *env) {
	attacker, victim := e.user(), e.user()
	u := e.createFile(attacker, "song.wav", "audio/wav", len(genuineWAV))
	if res := e.put(u, genuineWAV); res.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", res.Status, res.Body)
	}
	pr, pw := io.Pipe()
	req, err := http.NewRequest(u.Upload.Method, u.Upload.URL, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(quietWAV))
	for k, v := range u.Upload.Headers {
		req.Header.Set(k, v)
	}
	putDone := make(chan int, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			putDone <- 0
			return
		}
		res.Body.Close()
		putDone <- res.StatusCode
	}()
	if _, err := pw.Write(quietWAV[:len(quietWAV)-100]); err != nil { // the racing PUT is under way
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	res := e.do("POST", "/api/v1/files/"+u.ID+"/complete", attacker, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	pw.Write(quietWAV[len(quietWAV)-100:]) // the PUT ends while the worker runs
	pw.Close()
	t.Logf("racing PUT answered %d", <-putDone)
	if peak := e.analysisPeak(attacker, u.ID); peak < 0.5 {
		t.Errorf("attacker's analysis peak %.2f: the racing bytes were analysed", peak)
	}
	if got := e.download(attacker, u.ID); !bytes.Equal(got, genuineWAV) {
		t.Errorf("attacker's file holds %d other bytes after the race", len(got))
	}
	genuine, res := e.upload(victim, "song.wav", "audio/wav", genuineWAV)
	if res.Status != http.StatusOK {
		t.Fatalf("victim's complete: %d %s", res.Status, res.Body)
	}
	if peak := e.analysisPeak(victim, genuine.ID); peak < 0.5 {
		t.Errorf("victim's analysis of the genuine bytes has peak %.2f: the cache was poisoned", peak)
	}
	quiet, res := e.upload(victim, "quiet.wav", "audio/wav", quietWAV)
	if res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	if peak := e.analysisPeak(victim, quiet.ID); peak > 0.2 {
		t.Errorf("analysis of the quiet bytes has peak %.2f", peak)
	}
	e.checkCacheConsistent()
}

// download returns the bytes the file's download URL serves.
func (e *env) download(token, fileID string) []byte {
	e.t.Helper()
	res := e.do("GET", "/api/v1/files/"+fileID+"/download", token, nil)
	if res.Status != http.StatusFound {
		e.t.Fatalf("download: %d %s", res.Status, res.Body)
	}
	return e.do("GET", res.Header.Get("Location"), "", nil).Body
}

// analysisPeak waits for the file's analysis and returns the largest point
// of its waveform.
func (e *env) analysisPeak(token, fileID string) float64 {
	e.t.Helper()
	var doc struct {
		WaveformData struct{ Points []float64 }
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := e.do("GET", "/api/v1/files/"+fileID+"/analysis", token, nil)
		if res.Status == http.StatusOK {
			res.JSON(e.t, &doc)
			break
		}
		if res.Status != http.StatusAccepted || time.Now().After(deadline) {
			e.t.Fatalf("analysis of %s: %d %s", fileID, res.Status, res.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(doc.WaveformData.Points) == 0 {
		e.t.Fatal("analysis without waveform points")
	}
	return slices.Max(doc.WaveformData.Points)
}

// checkCacheConsistent checks the content cache's invariant: every analysis
// is filed under the SHA-256 of the bytes its file holds.
func (e *env) checkCacheConsistent() {
	e.t.Helper()
	ctx := context.Background()
	rows, err := e.pool.Query(ctx, `SELECT f.s3_key, a.content_sha256 FROM audio_analysis_cache a
		JOIN file_metadata f ON f.id = a.file_metadata_id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var key, sum string
		if err := rows.Scan(&key, &sum); err != nil {
			e.t.Fatal(err)
		}
		rc, _, err := e.blobs.Open(ctx, key)
		if err != nil {
			e.t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, rc)
		rc.Close()
		if err != nil {
			e.t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			e.t.Errorf("analysis of %s filed under %s…, its bytes hash to %s…", key, sum[:12], got[:12])
		}
		if !strings.Contains(key, "/sealed/") {
			e.t.Errorf("completed file names %s, not a sealed key", key)
		}
		n++
	}
	if rows.Err() != nil || n == 0 {
		e.t.Fatalf("no analyses checked (%v)", rows.Err())
	}
}

// swapAfterFirstOpen serves other bytes from the second Open of an audio
// object on: storage that changes under the worker between its hash and
// its decode.
type swapAfterFirstOpen struct {
	storage.Blobs
	opened atomic.Int32
	other  []byte
}

func (s *swapAfterFirstOpen) Open(ctx context.Context, key string) (io.ReadCloser, storage.Info, error) {
	rc, info, err := s.Blobs.Open(ctx, key)
	if err != nil || !strings.HasPrefix(key, "audio/") || s.opened.Add(1) == 1 {
		return rc, info, err
	}
	rc.Close()
	return io.NopCloser(bytes.NewReader(s.other)), info, nil
}

// The hash the cache files an analysis under is checked on the bytes the
// decoder read: when they differ from the bytes hashed, nothing is stored
// and the attempt fails (to be retried).
func TestAnalysisRefusesBytesOtherThanHashed(t *testing.T) {
	swap := &swapAfterFirstOpen{other: quietWAV}
	e := envOf(t, apitest.Start(t, apitest.Options{Configure: []func(*jobs.Deps){func(d *jobs.Deps) { swap.Blobs, d.Blobs = d.Blobs, swap }}}))
	token := e.user()
	if _, res := e.upload(token, "song.wav", "audio/wav", genuineWAV); res.Status != http.StatusOK {
		t.Fatalf("complete: %d %s", res.Status, res.Body)
	}
	e.startWorker()
	var errs string
	eventually.True(t, 20*time.Second, "the analysis attempt fails", func() bool {
		err := e.pool.QueryRow(context.Background(), `SELECT errors::text FROM river_job
			WHERE kind = 'audio_analysis' AND errors IS NOT NULL`).Scan(&errs)
		return err == nil
	})
	if !strings.Contains(errs, "changed while they were analysed") {
		t.Errorf("attempt errors %s, want the changed bytes named", errs)
	}
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audio_analysis_cache`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d analyses stored (%v), want none", n, err)
	}
}

// Concurrent completions of one upload seal it once: one file object (the
// sealed copy the row names), one processing job, every answer 200.
func TestConcurrentCompletionsSealOnce(t *testing.T) {
	e := newEnv(t)
	token := e.user()
	u := e.createFile(token, "song.wav", "audio/wav", len(genuineWAV))
	if res := e.put(u, genuineWAV); res.Status != http.StatusOK {
		t.Fatalf("PUT: %d %s", res.Status, res.Body)
	}
	statuses := make(chan int, 5)
	for range 5 {
		go func() { statuses <- e.do("POST", "/api/v1/files/"+u.ID+"/complete", token, nil).Status }()
	}
	for range 5 {
		if st := <-statuses; st != http.StatusOK {
			t.Errorf("a concurrent completion answered %d", st)
		}
	}
	var key string
	var jobs int
	if err := e.pool.QueryRow(context.Background(), `SELECT f.s3_key, (SELECT count(*) FROM audio_analysis_jobs j WHERE j.file_metadata_id = f.id)
		FROM file_metadata f WHERE f.id = $1`, u.ID).Scan(&key, &jobs); err != nil {
		t.Fatal(err)
	}
	var objects []string
	err := e.blobs.(storage.Lister).ListOlder(context.Background(), "audio", time.Now().Add(time.Hour), func(i storage.Info) error {
		objects = append(objects, i.Key)
		return nil
	})
	if err != nil || !slices.Equal(objects, []string{key}) || jobs != 1 {
		t.Errorf("objects %v (%v), %d jobs; want only the sealed %s and one job", objects, err, jobs, key)
	}
}
