-- +goose Up
-- Every user-facing job table carries the same lifecycle columns (status,
-- progress, error), so one set of statements moves every kind of job: the
-- MIDI parse's row is renamed into line and gains a real progress.
ALTER TABLE midi_files RENAME COLUMN parsing_status TO status;
ALTER TABLE midi_files RENAME COLUMN error_message TO error;
ALTER TABLE midi_files ADD COLUMN progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100);
UPDATE midi_files SET progress = 100 WHERE status = 'completed';

CREATE OR REPLACE VIEW user_jobs AS
  SELECT id, user_id, 'audio_analysis' AS kind, status, progress, error, result, file_metadata_id AS file_id, created_at, updated_at
    FROM audio_analysis_jobs
  UNION ALL
  SELECT id, user_id, 'stem_separation', status, progress, error, results, file_metadata_id, created_at, updated_at
    FROM stem_separation_jobs
  UNION ALL
  SELECT id, user_id, 'render', status, progress, error,
         jsonb_strip_nulls(jsonb_build_object('output_file_id', output_file_id, 'costs', costs)), output_file_id, created_at, updated_at
    FROM renders
  UNION ALL
  SELECT id, user_id, 'midi_parse', status, progress, error,
         CASE WHEN status = 'completed' THEN jsonb_build_object('track_count', track_count, 'note_count', note_count,
           'duration_seconds', duration_seconds, 'tempo_bpm', tempo_bpm) END,
         file_metadata_id, created_at, updated_at
    FROM midi_files;

-- +goose Down
CREATE OR REPLACE VIEW user_jobs AS
  SELECT id, user_id, 'audio_analysis' AS kind, status, progress, error, result, file_metadata_id AS file_id, created_at, updated_at
    FROM audio_analysis_jobs
  UNION ALL
  SELECT id, user_id, 'stem_separation', status, progress, error, results, file_metadata_id, created_at, updated_at
    FROM stem_separation_jobs
  UNION ALL
  SELECT id, user_id, 'render', status, progress, error,
         jsonb_strip_nulls(jsonb_build_object('output_file_id', output_file_id, 'costs', costs)), output_file_id, created_at, updated_at
    FROM renders
  UNION ALL
  SELECT id, user_id, 'midi_parse', status, CASE WHEN status = 'completed' THEN 100 ELSE 0 END, error,
         CASE WHEN status = 'completed' THEN jsonb_build_object('track_count', track_count, 'note_count', note_count,
           'duration_seconds', duration_seconds, 'tempo_bpm', tempo_bpm) END,
         file_metadata_id, created_at, updated_at
    FROM midi_files;
ALTER TABLE midi_files DROP COLUMN progress;
ALTER TABLE midi_files RENAME COLUMN error TO error_message;
ALTER TABLE midi_files RENAME COLUMN status TO parsing_status;
