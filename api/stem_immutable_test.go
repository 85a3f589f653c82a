package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"phonoglyph/apitest"
	"phonoglyph/jobs"
	"phonoglyph/runpod"
	"phonoglyph/runpod/runpodtest"
	"phonoglyph/storage"
)

// Issue 12, reproduction 1 for stems on S3 (versitygw): RunPod writes the
// stems through presigned PUT URLs that stay valid for the job's ttl + 1 h.
// Whoever holds one PUTs other bytes once the separation completed — first
// just before the stem's analysis reads it, then again after everything
// ended. The stem served for download and its analysis must stay the bytes
// RunPod wrote.
func TestStemIsImmutableAfterCompletion(t *testing.T) {
	hook := &stemHook{}
	e, putAll := newSealEnv(t, hook)
	hook.beforeOpen = func() { putAll(quietWAV) }
	token, done := separateOnce(t, e)
	if done.Status != "completed" || done.Results == nil || len(done.Results.Stems) != 2 {
		t.Fatalf("stem job = %+v", done)
	}
	for name, stem := range done.Results.Stems {
		if peak := e.analysisPeak(token, stem.FileID); peak < 0.5 {
			t.Errorf("%s stem's analysis peak %.2f: the bytes PUT after completion were analysed", name, peak)
		}
	}
	if !hook.opened.Load() {
		t.Fatal("no stem was ever read")
	}
	putAll(quietWAV)
	for name, stem := range done.Results.Stems {
		if got := e.download(token, stem.FileID); !bytes.Equal(got, genuineWAV) {
			t.Errorf("%s stem served after the PUTs: %d bytes, not the ones RunPod wrote", name, len(got))
		}
		if peak := e.analysisPeak(token, stem.FileID); peak < 0.5 {
			t.Errorf("%s stem's analysis peak %.2f after the PUTs", name, peak)
		}
	}
	e.checkCacheConsistent()
}

// A PUT through RunPod's URL between RunPod's completion and the seal, of
// another size than RunPod reports writing, fails the separation rather
// than serve the stem: no stem file is made.
func TestStemOverwrittenBeforeSealFails(t *testing.T) {
	hook := &stemHook{}
	e, putAll := newSealEnv(t, hook)
	hook.beforeCopy = func() { putAll(append(bytes.Clone(quietWAV), 0, 0)) }
	_, done := separateOnce(t, e)
	if done.Status != "failed" || done.Error == nil || !strings.Contains(*done.Error, "changed after RunPod wrote it") {
		t.Fatalf("stem job = %+v, want failed for a changed stem", done)
	}
	var n int
	if err := e.pool.QueryRow(context.Background(), "SELECT count(*) FROM file_metadata WHERE stem_type IS NOT NULL").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d stem files (%v), want none", n, err)
	}
}

// separateOnce starts the workers and separates a new user's song into 2
// stems, returning the user and the ended job.
func separateOnce(t *testing.T, e *env) (string, stemJob) {
	e.startWorker()
	token := e.user()
	j, res := e.requestStems(token, e.uploadSong(token), map[string]any{"model_variant": "2stems"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	return token, e.waitStems(token, j.ID)
}

// newSealEnv serves the API on versitygw with separations on a RunPod
// stand-in whose stems are all genuineWAV, the workers' blobs wrapped by
// hook; putAll PUTs body to every stem URL RunPod was given.
func newSealEnv(t *testing.T, hook *stemHook) (*env, func(body []byte)) {
	var (
		mu   sync.Mutex
		urls = map[string]string{} // stem → presigned PUT URL RunPod was given
	)
	rp := runpodtest.Start(t, runpodtest.Options{Separate: func(ctx context.Context, in runpod.Input, audio []byte) (map[string][]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		out := map[string][]byte{}
		for _, s := range in.Stems {
			urls[s] = in.Outputs[s]
			out[s] = genuineWAV
		}
		return out, nil
	}})
	client, err := runpod.New(rp.Config())
	if err != nil {
		t.Fatal(err)
	}
	putAll := func(body []byte) {
		mu.Lock()
		defer mu.Unlock()
		for s, u := range urls {
			req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(body))
			req.Header.Set("Content-Type", "audio/wav")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("PUT to the %s URL: %v", s, err)
				continue
			}
			res.Body.Close()
			t.Logf("PUT to the %s URL after RunPod completed: %d", s, res.StatusCode)
		}
	}
	e := envOf(t, apitest.Start(t, apitest.Options{S3: true, Configure: []func(*jobs.Deps){func(d *jobs.Deps) {
		hook.Blobs, d.Blobs = d.Blobs, hook
		d.Stems = jobs.StemDeps{RunPod: client, Poll: 30 * time.Millisecond}
	}}}))
	return e, putAll
}

// stemHook runs beforeCopy before the workers' first copy of an object
// under stems/ (the seal), and beforeOpen before their first open of one
// (the first stem analysis hashing its input).
type stemHook struct {
	storage.Blobs
	beforeCopy, beforeOpen func()
	copied, opened         atomic.Bool
}

func (h *stemHook) Copy(ctx context.Context, src, dst string) error {
	if strings.HasPrefix(src, "stems/") && h.beforeCopy != nil && h.copied.CompareAndSwap(false, true) {
		h.beforeCopy()
	}
	return h.Blobs.Copy(ctx, src, dst)
}

func (h *stemHook) Open(ctx context.Context, key string) (io.ReadCloser, storage.Info, error) {
	if strings.HasPrefix(key, "stems/") && h.beforeOpen != nil && h.opened.CompareAndSwap(false, true) {
		h.beforeOpen()
	}
	return h.Blobs.Open(ctx, key)
}
