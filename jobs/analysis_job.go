package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"phonoglyph"
	"phonoglyph/dsp"
	"phonoglyph/metrics"
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
	// The River job goes first, so the row is inserted with its id: one
	// statement fewer than inserting and then linking, on the path every
	// upload takes. Asking again for a live analysis drops the unneeded
	// River job before anything could see it.
	id := uuid.NewString()
	riverID, err := c.insert(ctx, tx, AnalysisArgs{JobID: id, UserID: f.UserID, FileID: f.ID}, nil)
	if err != nil {
		return nil, err
	}
	job, created, err := tx.CreateAnalysisJob(ctx, &phonoglyph.AnalysisJob{
		Job:    phonoglyph.Job{ID: id, FileID: &f.ID},
		UserID: f.UserID, StemType: f.AnalysisStem(), Version: AnalysisVersion,
	}, riverID)
	if err != nil {
		return nil, err
	}
	if !created {
		if _, err := c.river.JobDeleteTx(ctx, tx.PGX(), riverID); err != nil {
			return nil, fmt.Errorf("drop unneeded analysis job: %w", err)
		}
	}
	return &job.Job, nil
}

// analysisKind decodes an uploaded audio file and stores its analysis: the
// per-frame document and a waveform thumbnail as blobs, the summary, beats
// and waveform on the row. The same bytes with the same stem type are
// analysed once, whoever uploads them (the content cache), and every file
// with those bytes names the one stored document and thumbnail
// (objectkey.ContentAnalysis), freed when the last file naming them goes.
func analysisKind(c *Client) Kind[AnalysisArgs] {
	w := &analysisWork{client: c, deps: &c.deps}
	return Kind[AnalysisArgs]{Table: store.AnalysisJobs, Timeout: 10 * time.Minute, Work: w.work, Leftovers: analysisLeftovers}
}

type analysisWork struct {
	client *Client
	deps   *Deps
}

// errCacheGone is the Complete error of a cached analysis deleted before
// it could be shared: the job then analyses the bytes itself.
var errCacheGone = errors.New("cached analysis deleted meanwhile")

// analysisResult is what a job stores: the row, and the thumbnail the file
// names; written are the objects among them this job wrote itself (the
// shared ones it names are not its own).
type analysisResult struct {
	analysis  *phonoglyph.Analysis
	thumbnail string
	written   []string
}

// analysisLeftovers are what an analysis of a file may write: its document
// (for whichever stem type the file was) and its thumbnail.
func analysisLeftovers(a AnalysisArgs) []string {
	keys := []string{objectkey.Thumbnail(a.FileID)}
	for _, stem := range phonoglyph.StemTypes {
		keys = append(keys, objectkey.AnalysisData(a.UserID, a.FileID, stem, AnalysisVersion))
	}
	return keys
}

func (w *analysisWork) work(ctx context.Context, run *Run, a AnalysisArgs) error {
	file, err := w.deps.Store.FileByID(ctx, a.UserID, a.FileID)
	if err != nil {
		return err
	}
	started := time.Now()
	// The completed upload is sealed (objectkey.Sealed): no URL writes it,
	// so this hash names the bytes analyse reads, which it checks again.
	sum, err := w.hash(ctx, file.Key)
	if err != nil {
		return err
	}
	stem := file.AnalysisStem()
	hit, err := w.deps.Store.AnalysisByContent(ctx, sum, stem, AnalysisVersion)
	switch {
	case err == nil && hit.DataKey != nil:
		var res *analysisResult
		err = run.Complete(ctx, func(tx *store.Tx) (err error) {
			if res, err = w.share(ctx, tx, run, file, hit, sum, started); err != nil {
				return err
			}
			return w.store(ctx, tx, run, file, res)
		})
		if !errors.Is(err, errCacheGone) {
			return err
		}
	case err != nil && phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND:
		return err
	}
	res, err := w.analyze(ctx, run, file, stem, sum)
	if res != nil { // freed by the lifecycle if the file goes meanwhile
		run.Writes(res.written...)
	}
	if err != nil {
		return err
	}
	took := time.Since(started)
	res.analysis.AnalysisDurationMS = int(took.Milliseconds())
	metrics.ObserveAnalysis(took, res.analysis.Duration) // fresh analyses only: a cache hit analyses nothing
	return run.Complete(ctx, func(tx *store.Tx) error { return w.store(ctx, tx, run, file, res) })
}

// hash is the SHA-256 of the file's bytes, the content cache's key.
func (w *analysisWork) hash(ctx context.Context, key string) (string, error) {
	rc, _, err := w.deps.openInput(ctx, key)
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

// share returns, in the job's completing transaction, file's analysis as
// the cached one hit: the same document and thumbnail, named, not copied.
// The hit is locked first (ShareAnalysis), so a deletion of its file either
// sees this reference or happened before and makes this errCacheGone.
func (w *analysisWork) share(ctx context.Context, tx *store.Tx, run *Run, file *phonoglyph.File, hit *phonoglyph.Analysis, sum string, started time.Time) (*analysisResult, error) {
	dataKey, thumb, err := tx.ShareAnalysis(ctx, hit.ID)
	if phonoglyph.ErrorCode(err) == phonoglyph.ENOTFOUND || (err == nil && dataKey == nil) {
		return nil, errCacheGone
	} else if err != nil {
		return nil, err
	}
	cp := *hit
	cp.ID, cp.UserID, cp.FileID, cp.DataKey = uuid.NewString(), file.UserID, file.ID, dataKey
	cp.ContentSHA256 = &sum
	cp.AnalysisDurationMS = int(time.Since(started).Milliseconds())
	res := &analysisResult{analysis: &cp}
	if thumb != nil {
		res.thumbnail = *thumb
		return res, nil
	}
	// The cached file has no thumbnail: draw this job's own.
	res.thumbnail = objectkey.ContentThumbnail(sum, hit.StemType, AnalysisVersion, run.ID())
	res.written = []string{res.thumbnail}
	run.Writes(res.written...)
	return res, w.thumbnail(ctx, res.thumbnail, hit.Waveform)
}

// store writes the analysis row, the file's thumbnail and the job's result
// in tx, and frees in the same transaction (a cleanup job) the document and
// thumbnail an earlier analysis of the file named that nothing names now.
func (w *analysisWork) store(ctx context.Context, tx *store.Tx, run *Run, file *phonoglyph.File, res *analysisResult) error {
	before, err := tx.AnalysisObjects(ctx, file.ID, res.analysis.StemType, AnalysisVersion)
	if err != nil {
		return err
	}
	if err := tx.PutAnalysis(ctx, res.analysis); err != nil {
		return err
	}
	if err := tx.SetThumbnail(ctx, file.ID, res.thumbnail); err != nil {
		return err
	}
	if err := tx.SetAnalysisResult(ctx, run.ID(), res.analysis); err != nil {
		return err
	}
	freed, err := tx.Unreferenced(ctx, before)
	if err != nil {
		return err
	}
	return w.client.RequestCleanup(ctx, tx, freed)
}

// analyze decodes the file and runs the full extractor for its stem type,
// storing the per-frame document and the thumbnail as blobs under keys of
// the content and this job. The bytes decoded are hashed as they stream in:
// the result is refused unless they are the bytes hashed as sum, so no
// analysis is ever cached under the hash of other bytes.
func (w *analysisWork) analyze(ctx context.Context, run *Run, file *phonoglyph.File, stem phonoglyph.StemType, sum string) (*analysisResult, error) {
	rc, info, err := w.deps.openInput(ctx, file.Key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	h := &lockedHash{h: sha256.New()}
	progress := &progressReader{r: io.TeeReader(rc, h), total: info.Size, report: func(pct int) { run.Progress(ctx, pct) }}
	a, err := w.decode(progress, file, stem)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, progress); err != nil { // the bytes the decoder left unread
		return nil, err
	}
	if got := h.sum(); got != sum {
		return nil, fmt.Errorf("the bytes of %s changed while they were analysed (sha256 %s, then %s)", file.Key, sum, got)
	}
	data, err := fullData(a)
	if err != nil {
		return nil, err
	}
	key := objectkey.ContentAnalysis(sum, stem, AnalysisVersion, run.ID())
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
	thumb := objectkey.ContentThumbnail(sum, stem, AnalysisVersion, run.ID())
	if err := w.thumbnail(ctx, thumb, wave); err != nil {
		return nil, err
	}
	return &analysisResult{thumbnail: thumb, written: []string{key, thumb}, analysis: &phonoglyph.Analysis{ID: uuid.NewString(), UserID: file.UserID, FileID: file.ID,
		StemType: stem, Version: AnalysisVersion, SampleRate: a.Summary.SampleRate, Duration: a.Summary.Duration,
		BufferSize: dsp.FrameSize, Features: a.Features, Data: summary, Waveform: wave, DataKey: &key, ContentSHA256: &sum}}, nil
}

// decode runs the extractor on the file's bytes read from r; the decoder
// (an ffmpeg subprocess included) is closed before it returns, so r is no
// longer read.
func (w *analysisWork) decode(r io.Reader, file *phonoglyph.File, stem phonoglyph.StemType) (*dsp.Analysis, error) {
	dec, closer, err := dsp.OpenForAnalysis(r, file.FileName, w.deps.AudioLimits)
	var a *dsp.Analysis
	if err == nil {
		a, err = dsp.Analyze(dec, dsp.Options{Stem: string(stem)})
		closer.Close()
	}
	switch {
	case errors.Is(err, dsp.ErrInvalid):
		return nil, Failf("The audio file could not be analysed: %s.", strings.TrimPrefix(err.Error(), dsp.ErrInvalid.Error()+": "))
	case errors.Is(err, dsp.ErrNeedFFmpeg):
		return nil, Fail("This audio format needs ffmpeg, which this worker does not have.")
	case err != nil:
		return nil, err
	}
	return a, nil
}

// lockedHash is a hash written by the decoder's goroutines (ffmpeg's stdin
// copy) and read once they are done.
type lockedHash struct {
	mu sync.Mutex
	h  hash.Hash
}

func (l *lockedHash) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.h.Write(p)
}

func (l *lockedHash) sum() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return hex.EncodeToString(l.h.Sum(nil))
}

// thumbnail stores the waveform thumbnail PNG drawn from a row's
// waveformData under key.
func (w *analysisWork) thumbnail(ctx context.Context, key string, waveformJSON []byte) error {
	wave, err := waveformOf(waveformJSON)
	if err != nil {
		return err
	}
	png, err := dsp.WaveformPNG(wave, 1024, 256)
	if err != nil {
		return err
	}
	return w.deps.Blobs.Put(ctx, key, bytes.NewReader(png), int64(len(png)), "image/png")
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
	doc["downbeats"], doc["beatPositions"], doc["sections"] = a.Downbeats, a.BeatPositions, a.Sections
	doc["normalizationMeta"], doc["bpm"], doc["summary"] = a.Normalization, a.Summary.BPM, a.Summary
	return json.Marshal(doc)
}

// rowData is the small part of the analysis kept on the row: the summary
// and the beats (what renders and listings read without the blob).
func rowData(a *dsp.Analysis) ([]byte, error) {
	return json.Marshal(map[string]any{"summary": a.Summary, "bpm": a.Summary.BPM, "beats": a.Beats,
		"downbeats": a.Downbeats, "sections": a.Sections})
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
