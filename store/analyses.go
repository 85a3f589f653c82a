package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"phonoglyph"
)

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
// version, whoever owns it: the content cache. Callers copy it to their own
// file; it is never served across users.
func (q *Queries) AnalysisByContent(ctx context.Context, sha256 string, stem phonoglyph.StemType, version string) (*phonoglyph.Analysis, error) {
	return scanAnalysis(q.db.QueryRow(ctx, `SELECT `+analysisColumns+` FROM audio_analysis_cache
		WHERE content_sha256 = $1 AND stem_type = $2 AND analysis_version = $3 ORDER BY created_at LIMIT 1`, sha256, stem, version))
}

// SetThumbnail records a file's thumbnail object.
func (q *Queries) SetThumbnail(ctx context.Context, fileID, key string) error {
	_, err := q.db.Exec(ctx, `UPDATE file_metadata SET thumbnail_key = $2 WHERE id = $1`, fileID, key)
	return err
}
