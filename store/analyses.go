package store

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

// The two tables of audio analysis: the jobs (audio_analysis_jobs, whose
// lifecycle is job_rows.go's) and the analyses they store
// (audio_analysis_cache), a content cache across users.

const analysisColumns = `id::text, user_id::text, file_metadata_id::text, stem_type, analysis_version, sample_rate,
	duration, buffer_size, features_extracted, analysis_data, waveform_data, data_key, content_sha256, analysis_duration, created_at`

func scanAnalysis(row pgx.Row) (*phonoglyph.Analysis, error) {
	var a phonoglyph.Analysis
	err := row.Scan(&a.ID, &a.UserID, &a.FileID, &a.StemType, &a.Version, &a.SampleRate,
		&a.Duration, &a.BufferSize, &a.Features, &a.Data, &a.Waveform, &a.DataKey, &a.ContentSHA256, &a.AnalysisDurationMS, &a.CreatedAt)
	if err != nil {
		return nil, notFound(err, "Analysis")
	}
	return &a, nil
}

// PutAnalysis stores an analysis, replacing an earlier one of the same file,
// stem type and version.
func (q *Queries) PutAnalysis(ctx context.Context, a *phonoglyph.Analysis) error {
	return q.db.QueryRow(ctx, `
		INSERT INTO audio_analysis_cache (id, user_id, file_metadata_id, stem_type, analysis_version, sample_rate,
			duration, buffer_size, features_extracted, analysis_data, waveform_data, data_key, content_sha256, analysis_duration)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (file_metadata_id, stem_type, analysis_version) DO UPDATE SET
			sample_rate = EXCLUDED.sample_rate, duration = EXCLUDED.duration, buffer_size = EXCLUDED.buffer_size,
			features_extracted = EXCLUDED.features_extracted, analysis_data = EXCLUDED.analysis_data,
			waveform_data = EXCLUDED.waveform_data, data_key = EXCLUDED.data_key, content_sha256 = EXCLUDED.content_sha256,
			analysis_duration = EXCLUDED.analysis_duration
		RETURNING id::text, created_at`,
		a.ID, a.UserID, a.FileID, a.StemType, a.Version, a.SampleRate, a.Duration, a.BufferSize, a.Features,
		a.Data, a.Waveform, a.DataKey, a.ContentSHA256, a.AnalysisDurationMS,
	).Scan(&a.ID, &a.CreatedAt)
}

// Analysis returns the caller's cached analysis of a file.
func (q *Queries) Analysis(ctx context.Context, userID, fileID string, stem phonoglyph.StemType, version string) (*phonoglyph.Analysis, error) {
	return scanAnalysis(q.db.QueryRow(ctx, `SELECT `+analysisColumns+` FROM audio_analysis_cache
		WHERE file_metadata_id = $1 AND user_id = $2 AND stem_type = $3 AND analysis_version = $4`,
		fileID, userID, stem, version))
}

// AnalysisByContent finds an analysis of the same audio bytes, stem type and
// version, whoever owns it: the content cache. Callers share its document
// with their own file (ShareAnalysis); it is never served across users.
func (q *Queries) AnalysisByContent(ctx context.Context, sha256 string, stem phonoglyph.StemType, version string) (*phonoglyph.Analysis, error) {
	return scanAnalysis(q.db.QueryRow(ctx, `SELECT `+analysisColumns+` FROM audio_analysis_cache
		WHERE content_sha256 = $1 AND stem_type = $2 AND analysis_version = $3 ORDER BY created_at LIMIT 1`, sha256, stem, version))
}

// ShareAnalysis locks the cached analysis id and its file against deletion
// until the transaction ends (FOR KEY SHARE, which a delete waits for) and
// returns the document key and thumbnail key they name, which the caller
// may then name too. ENOTFOUND when the analysis is gone: its document may
// be about to be freed and must not be shared.
func (q *Queries) ShareAnalysis(ctx context.Context, id string) (dataKey, thumbnailKey *string, err error) {
	err = q.db.QueryRow(ctx, `SELECT a.data_key, f.thumbnail_key FROM audio_analysis_cache a
		JOIN file_metadata f ON f.id = a.file_metadata_id WHERE a.id = $1 FOR KEY SHARE`, id).Scan(&dataKey, &thumbnailKey)
	return dataKey, thumbnailKey, notFound(err, "Analysis")
}

// AnalysisObjects returns the objects a file's analysis of stem and version
// names now (its document and the file's thumbnail), before a new analysis
// replaces them.
func (q *Queries) AnalysisObjects(ctx context.Context, fileID string, stem phonoglyph.StemType, version string) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT thumbnail_key FROM file_metadata WHERE id = $1 AND thumbnail_key IS NOT NULL
		UNION SELECT data_key FROM audio_analysis_cache
		WHERE file_metadata_id = $1 AND stem_type = $2 AND analysis_version = $3 AND data_key IS NOT NULL`, fileID, stem, version)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// SetThumbnail records a file's thumbnail object.
func (q *Queries) SetThumbnail(ctx context.Context, fileID, key string) error {
	_, err := q.db.Exec(ctx, `UPDATE file_metadata SET thumbnail_key = $2 WHERE id = $1`, fileID, key)
	return err
}

const analysisJobColumns = `id::text, user_id::text, file_metadata_id::text, stem_type, analysis_version, status,
	progress, error, result, created_at, updated_at`

func scanAnalysisJob(row pgx.Row) (*phonoglyph.AnalysisJob, error) {
	j := phonoglyph.AnalysisJob{Job: phonoglyph.Job{Kind: phonoglyph.KindAudioAnalysis}}
	err := row.Scan(&j.ID, &j.UserID, &j.FileID, &j.StemType, &j.Version, &j.Status,
		&j.Progress, &j.Error, &j.Result, &j.CreatedAt, &j.UpdatedAt)
	if err != nil {
		return nil, notFound(err, "Job")
	}
	return &j, nil
}

// CreateAnalysisJob inserts a queued analysis job worked by River job
// riverID unless a live one (queued or processing) exists for the same
// file, stem and version; created reports which happened, and the live job
// is returned either way.
func (q *Queries) CreateAnalysisJob(ctx context.Context, j *phonoglyph.AnalysisJob, riverID int64) (job *phonoglyph.AnalysisJob, created bool, err error) {
	job, err = scanAnalysisJob(q.db.QueryRow(ctx, `
		INSERT INTO audio_analysis_jobs (id, user_id, file_metadata_id, stem_type, analysis_version, river_job_id)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (file_metadata_id, stem_type, analysis_version) WHERE `+live+` DO NOTHING
		RETURNING `+analysisJobColumns, j.ID, j.UserID, *j.FileID, j.StemType, j.Version, riverID))
	if err == nil {
		return job, true, nil
	}
	if phonoglyph.ErrorCode(err) != phonoglyph.ENOTFOUND {
		return nil, false, err
	}
	job, err = scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE file_metadata_id = $1 AND stem_type = $2 AND analysis_version = $3 AND `+live,
		*j.FileID, j.StemType, j.Version))
	return job, false, err
}

// AnalysisJob returns an analysis job of the user.
func (q *Queries) AnalysisJob(ctx context.Context, userID, id string) (*phonoglyph.AnalysisJob, error) {
	return scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE id = $1 AND user_id = $2`, id, userID))
}

// LatestAnalysisJob returns the newest analysis job of a file for a stem type.
func (q *Queries) LatestAnalysisJob(ctx context.Context, userID, fileID string, stem phonoglyph.StemType) (*phonoglyph.AnalysisJob, error) {
	return scanAnalysisJob(q.db.QueryRow(ctx, `SELECT `+analysisJobColumns+` FROM audio_analysis_jobs
		WHERE file_metadata_id = $1 AND user_id = $2 AND stem_type = $3 ORDER BY created_at DESC LIMIT 1`,
		fileID, userID, stem))
}

// SetAnalysisResult records which analysis a finished job stored.
func (q *Queries) SetAnalysisResult(ctx context.Context, id string, a *phonoglyph.Analysis) error {
	result, err := json.Marshal(map[string]string{"analysis_id": a.ID, "stem_type": string(a.StemType)})
	if err != nil {
		return err
	}
	_, err = q.db.Exec(ctx, `UPDATE audio_analysis_jobs SET result = $2 WHERE id = $1`, id, result)
	return err
}
