package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/dsp"
	"phonoglyph/objectkey"
	"phonoglyph/storage"
	"phonoglyph/store"
)

// AnalysisVersion is the analysis_version of rows this worker writes.
const AnalysisVersion = dsp.AnalysisVersion

// AnalysisArgs are the River arguments of an audio analysis.
type AnalysisArgs struct {
	JobID  string `json:"job_id"`
	UserID string `json:"user_id"`
	FileID string `json:"file_id"`
}

// Kind implements river.JobArgs.
func (AnalysisArgs) Kind() string { return string(phonoglyph.KindAudioAnalysis) }

// RowID implements Args.
func (a AnalysisArgs) RowID() string { return a.JobID }

// InsertOpts puts analyses on their own queue with a few retries for
// transient failures (bad input fails at once instead).
func (AnalysisArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: string(phonoglyph.KindAudioAnalysis), MaxAttempts: 5}
}

// RequestAnalysis records an analysis job for an audio file and enqueues it
// in tx. A queued or running analysis of the same file, stem and version is
// returned instead of a new one.
func (c *Client) RequestAnalysis(ctx context.Context, tx *store.Tx, f *phonoglyph.File) (*phonoglyph.Job, error) {
	if f.FileType != phonoglyph.FileAudio {
		return nil, phonoglyph.Errorf(phonoglyph.EINVALID, "Only audio files can be analysed.")
	}
	if f.UploadStatus != phonoglyph.UploadCompleted {
		return nil, phonoglyph.Errorf(phonoglyph.ECONFLICT, "The upload of this file is not complete.")
	}
	job, created, err := tx.CreateAnalysisJob(ctx, &phonoglyph.AnalysisJob{
		Job:    phonoglyph.Job{ID: uuid.NewString(), FileID: &f.ID},
		UserID: f.UserID, StemType: f.AnalysisStem(), Version: AnalysisVersion,
	})
	if err != nil {
		return nil, err
	}
	if created {
		err = c.Enqueue(ctx, tx, store.AnalysisJobs, AnalysisArgs{JobID: job.ID, UserID: f.UserID, FileID: f.ID}, nil)
	}
	return &job.Job, err
}

// analysisKind decodes an uploaded audio file and stores its analysis: the
// per-frame document as a blob under the file, the summary, beats and
// waveform on the row, and a waveform thumbnail. The same bytes with the
// same stem type are analysed once, whoever uploads them (the content
// cache).
func analysisKind(c *Client) Kind[AnalysisArgs] {
	w := &analysisWork{deps: &c.deps}
	return Kind[AnalysisArgs]{Table: store.AnalysisJobs, Timeout: 10 * time.Minute, Work: w.work}
}

type analysisWork struct{ deps *Deps }

func (w *analysisWork) work(ctx context.Context, run *Run, a AnalysisArgs) error {
	file, err := w.deps.Store.FileByID(ctx, a.UserID, a.FileID)
	if err != nil {
		return err
	}
	started := time.Now()
	sum, err := w.hash(ctx, file.Key)
	if err != nil {
		return err
	}
	stem := file.AnalysisStem()
	analysis, err := w.fromCache(ctx, sum, stem, file)
	if err != nil {
		return err
	}
	if analysis == nil {
		if analysis, err = w.analyze(ctx, run, file, stem); err != nil {
			return err
		}
	}
	analysis.ContentSHA256 = &sum
	analysis.AnalysisDurationMS = int(time.Since(started).Milliseconds())
	if err := w.thumbnail(ctx, file, analysis.Waveform); err != nil {
		return err
	}
	return run.Complete(ctx, func(tx *store.Tx) error {
		if err := tx.PutAnalysis(ctx, analysis); err != nil {
			return err
		}
		if err := tx.SetThumbnail(ctx, file.ID, objectkey.Thumbnail(file.ID)); err != nil {
			return err
		}
		return tx.SetAnalysisResult(ctx, run.ID(), analysis)
	})
}

// hash is the SHA-256 of the file's bytes, the content cache's key.
func (w *analysisWork) hash(ctx context.Context, key string) (string, error) {
	rc, _, err := w.deps.Blobs.Open(ctx, key)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fromCache copies an analysis of the same bytes (any owner's) to file:
// its per-frame document is copied to the file's own key, so each owner's
// data lives and dies with their file. nil when there is none.
func (w *analysisWork) fromCache(ctx context.Context, sum string, stem phonoglyph.StemType, file *phonoglyph.File) (*phonoglyph.Analysis, error) {
	hit, err := w.deps.Store.AnalysisByContent(ctx, sum, stem, AnalysisVersion)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND {
		return nil, nil
	} else if err != nil || hit.DataKey == nil {
		return nil, err
	}
	key := objectkey.AnalysisData(file.UserID, file.ID, stem, AnalysisVersion)
	if *hit.DataKey != key {
		rc, info, err := w.deps.Blobs.Open(ctx, *hit.DataKey)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, nil // deleted meanwhile: analyse afresh
		} else if err != nil {
			return nil, err
		}
		defer rc.Close()
		if err := w.deps.Blobs.Put(ctx, key, rc, info.Size, "application/json"); err != nil {
			return nil, err
		}
	}
	cp := *hit
	cp.ID, cp.UserID, cp.FileID, cp.DataKey = uuid.NewString(), file.UserID, file.ID, &key
	return &cp, nil
}

// analyze decodes the file and runs the full extractor for its stem type,
// storing the per-frame document as a blob and the summary on the row.
func (w *analysisWork) analyze(ctx context.Context, run *Run, file *phonoglyph.File, stem phonoglyph.StemType) (*phonoglyph.Analysis, error) {
	rc, info, err := w.deps.Blobs.Open(ctx, file.Key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	progress := &progressReader{r: rc, total: info.Size, report: func(pct int) { run.Progress(ctx, pct) }}
	dec, closer, err := dsp.Open(progress, file.FileName, w.deps.AudioLimits)
	if err == nil {
		defer closer.Close()
	}
	var a *dsp.Analysis
	if err == nil {
		a, err = dsp.Analyze(dec, dsp.Options{Stem: string(stem)})
	}
	switch {
	case errors.Is(err, dsp.ErrInvalid):
		return nil, Failf("The audio file could not be analysed: %s.", strings.TrimPrefix(err.Error(), dsp.ErrInvalid.Error()+": "))
	case errors.Is(err, dsp.ErrNeedFFmpeg):
		return nil, Fail("This audio format needs ffmpeg, which this worker does not have.")
	case err != nil:
		return nil, err
	}
	data, err := fullData(a)
	if err != nil {
		return nil, err
	}
	key := objectkey.AnalysisData(file.UserID, file.ID, stem, AnalysisVersion)
	if err := w.deps.Blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "application/json"); err != nil {
		return nil, err
	}
	summary, err := rowData(a)
	if err != nil {
		return nil, err
	}
	wave, err := waveformDoc(a)
	if err != nil {
		return nil, err
	}
	return &phonoglyph.Analysis{ID: uuid.NewString(), UserID: file.UserID, FileID: file.ID, StemType: stem,
		Version: AnalysisVersion, SampleRate: a.Summary.SampleRate, Duration: a.Summary.Duration, BufferSize: dsp.FrameSize,
		Features: a.Features, Data: summary, Waveform: wave, DataKey: &key}, nil
}

// thumbnail stores the waveform thumbnail PNG of the file.
func (w *analysisWork) thumbnail(ctx context.Context, file *phonoglyph.File, waveformJSON []byte) error {
	wave, err := waveformOf(waveformJSON)
	if err != nil {
		return err
	}
	png, err := dsp.WaveformPNG(wave, 1024, 256)
	if err != nil {
		return err
	}
	return w.deps.Blobs.Put(ctx, objectkey.Thumbnail(file.ID), bytes.NewReader(png), int64(len(png)), "image/png")
}

// progressReader reports read progress in 10 % steps.
type progressReader struct {
	r      io.Reader
	total  int64
	read   int64
	last   int
	report func(pct int)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	if p.total > 0 {
		// Cap at 90: the last step is storing the result.
		if pct := int(p.read * 9 / p.total * 10); pct > p.last && pct <= 90 {
			p.last = pct
			p.report(pct)
		}
	}
	return n, err
}

// fullData is the frontend's analysisData document: one frameTimes shared by
// every series (frame starts pos/sampleRate at 1024/512), chroma as the
// frontend's {time,pitch,confidence} objects, the 12-bin vectors beside it,
// events, normalisation metadata and the track summary.
func fullData(a *dsp.Analysis) ([]byte, error) {
	doc := map[string]any{"frameTimes": a.FrameTimes}
	for name, series := range a.Series {
		doc[name] = series
	}
	if a.MFCC != nil {
		doc["mfcc"] = a.MFCC
	}
	if a.Pitch != nil {
		doc["chroma"] = a.Pitch
	}
	if a.Chroma != nil {
		doc["chromaVectors"] = a.Chroma
	}
	if a.Spectrum != nil {
		doc["amplitudeSpectrum"] = a.Spectrum
	}
	doc["transients"], doc["beats"], doc["onsets"] = a.Transients, a.Beats, a.Onsets
	doc["normalizationMeta"], doc["bpm"], doc["summary"] = a.Normalization, a.Summary.BPM, a.Summary
	return json.Marshal(doc)
}

// rowData is the small part of the analysis kept on the row: the summary
// and the beats (what renders and listings read without the blob).
func rowData(a *dsp.Analysis) ([]byte, error) {
	return json.Marshal(map[string]any{"summary": a.Summary, "bpm": a.Summary.BPM, "beats": a.Beats})
}

// marker is a waveform marker the frontend draws.
type marker struct {
	Time      float64 `json:"time"`
	Type      string  `json:"type"`
	Intensity float32 `json:"intensity"`
}

// waveformData is the frontend's waveformData document: points are the max
// absolute sample per bucket, min and max the signed extremes, markers the
// beats and onsets.
type waveformData struct {
	Points     []float32 `json:"points"`
	Min        []float32 `json:"min"`
	Max        []float32 `json:"max"`
	SampleRate int       `json:"sampleRate"`
	Duration   float64   `json:"duration"`
	Markers    []marker  `json:"markers"`
}

func waveformDoc(a *dsp.Analysis) ([]byte, error) {
	w := a.Waveform
	points := make([]float32, len(w.Max))
	for i := range points {
		points[i] = max(w.Max[i], -w.Min[i])
	}
	markers := make([]marker, 0, len(a.Beats)+len(a.Transients))
	for _, b := range a.Beats {
		markers = append(markers, marker{Time: b, Type: "beat", Intensity: 1})
	}
	for _, t := range a.Transients {
		markers = append(markers, marker{Time: t.Time, Type: "onset", Intensity: t.Intensity})
	}
	return json.Marshal(waveformData{Points: points, Min: w.Min, Max: w.Max, SampleRate: a.Summary.SampleRate,
		Duration: a.Summary.Duration, Markers: markers})
}

// waveformOf reads the waveform back from a row's waveformData, for
// thumbnails of analyses served from the content cache.
func waveformOf(raw []byte) (dsp.Waveform, error) {
	var w waveformData
	err := json.Unmarshal(raw, &w)
	return dsp.Waveform{Points: len(w.Min), Min: w.Min, Max: w.Max}, err
}

// AnalysisData opens an analysis's analysisData document: the blob when the
// per-frame data was stored apart, else the row's own JSON.
func AnalysisData(ctx context.Context, blobs storage.Blobs, a *phonoglyph.Analysis) (io.ReadCloser, error) {
	if a.DataKey == nil {
		return io.NopCloser(bytes.NewReader(a.Data)), nil
	}
	rc, _, err := blobs.Open(ctx, *a.DataKey)
	return rc, err
}
