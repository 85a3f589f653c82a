package migrations_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"phonoglyph/dbtest"
	"phonoglyph/migrations"
)

func TestUpIsCompleteAndIdempotent(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t) // already migrated once by the template
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := migrations.Up(ctx, pool, log); err != nil {
		t.Fatalf("second Up: %v", err)
	}

	for _, table := range []string{"projects", "file_metadata", "audio_analysis_jobs", "audio_analysis_cache",
		"stem_separation_jobs", "renders", "midi_files", "visualization_settings", "river_job", "river_queue"} {
		var ok bool
		if err := pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok); err != nil || !ok {
			t.Errorf("table %s missing (err %v)", table, err)
		}
	}
	var sizeType string
	if err := pool.QueryRow(ctx, `SELECT data_type FROM information_schema.columns
		WHERE table_name = 'file_metadata' AND column_name = 'file_size'`).Scan(&sizeType); err != nil || sizeType != "bigint" {
		t.Errorf("file_size type = %q (err %v), want bigint", sizeType, err)
	}

	rm, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rm.Validate(ctx, nil)
	if err != nil || !res.OK {
		t.Errorf("river migrations not complete: %+v, %v", res, err)
	}
}

func TestStatusVocabularyIsEnforced(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	_, err := pool.Exec(ctx, `INSERT INTO file_metadata (id, user_id, file_name, file_type, mime_type, file_size, s3_key)
		VALUES (gen_random_uuid(), gen_random_uuid(), 'a.wav', 'audio', 'audio/wav', 10, 'k')`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO audio_analysis_jobs (id, user_id, file_metadata_id, stem_type, analysis_version, status)
		SELECT gen_random_uuid(), user_id, id, 'master', 'v', 'pending' FROM file_metadata`)
	if err == nil {
		t.Fatal("status 'pending' accepted; want only queued|processing|completed|failed|cancelled")
	}
}
