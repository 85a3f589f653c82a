package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// UnreferencedDerived returns the derived objects among keys that nothing
// refers to: no file row names them (a stem, a render's video, a thumbnail),
// no analysis row keeps them as its document, and the job that writes them
// (writers[i], the row objectkey.Writer names: a stem job, the file of an
// analysis or the analysis job of a shared content document, a render) is not live. They are what a job wrote for a row
// deleted while it ran, or what a failed job left.
func (q *Queries) UnreferencedDerived(ctx context.Context, keys, writers []string) ([]string, error) {
	rows, err := q.db.Query(ctx, `SELECT k FROM unnest($1::text[], $2::text[]) AS d (k, w)
		WHERE NOT EXISTS (SELECT 1 FROM file_metadata f WHERE f.s3_key = k OR f.thumbnail_key = k)
		AND NOT EXISTS (SELECT 1 FROM audio_analysis_cache a WHERE a.data_key = k)
		AND NOT EXISTS (SELECT 1 FROM stem_separation_jobs s WHERE s.id::text = w AND s.`+live+`)
		AND NOT EXISTS (SELECT 1 FROM audio_analysis_jobs j WHERE (j.file_metadata_id::text = w OR j.id::text = w) AND j.`+live+`)
		AND NOT EXISTS (SELECT 1 FROM renders r WHERE r.id::text = w AND r.`+live+`)`, keys, writers)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
