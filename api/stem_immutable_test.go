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
	putAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for s, u := range urls {
			req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(quietWAV))
			req.Header.Set("Content-Type", "audio/wav")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("PUT to the %s URL: %v", s, err)
				continue
			}
			res.Body.Close()
			t.Logf("PUT to the %s URL after completion: %d", s, res.StatusCode)
		}
	}
	hook := &beforeFirstStemRead{then: putAll}
	e := envOf(t, apitest.Start(t, apitest.Options{S3: true, Configure: []func(*jobs.Deps){func(d *jobs.Deps) {
		hook.Blobs, d.Blobs = d.Blobs, hook
		d.Stems = jobs.StemDeps{RunPod: client, Poll: 30 * time.Millisecond}
	}}}))
	e.startWorker()
	token := e.user()
	j, res := e.requestStems(token, e.uploadSong(token), map[string]any{"model_variant": "2stems"})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	done := e.waitStems(token, j.ID)
	if done.Status != "completed" || done.Results == nil || len(done.Results.Stems) != 2 {
		t.Fatalf("stem job = %+v", done)
	}
	for name, stem := range done.Results.Stems {
		if peak := e.analysisPeak(token, stem.FileID); peak < 0.5 {
			t.Errorf("%s stem's analysis peak %.2f: the bytes PUT after completion were analysed", name, peak)
		}
	}
	if !hook.fired.Load() {
		t.Fatal("no stem was ever read")
	}
	putAll()
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

// beforeFirstStemRead runs then before the first object under stems/ is
// opened: the first stem analysis hashing its input.
type beforeFirstStemRead struct {
	storage.Blobs
	then  func()
	fired atomic.Bool
}

func (b *beforeFirstStemRead) Open(ctx context.Context, key string) (io.ReadCloser, storage.Info, error) {
	if strings.HasPrefix(key, "stems/") && b.fired.CompareAndSwap(false, true) {
		b.then()
	}
	return b.Blobs.Open(ctx, key)
}
