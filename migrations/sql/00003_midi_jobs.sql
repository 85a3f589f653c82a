-- +goose Up
-- MIDI parsing is a job: the midi_files row is its user-facing record, so
-- it joins the one view of every job.
ALTER TABLE midi_files ADD COLUMN river_job_id BIGINT;

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
  SELECT id, user_id, 'midi_parse', parsing_status, CASE WHEN parsing_status = 'completed' THEN 100 ELSE 0 END, error_message,
         CASE WHEN parsing_status = 'completed' THEN jsonb_build_object('track_count', track_count, 'note_count', note_count,
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
    FROM renders;
ALTER TABLE midi_files DROP COLUMN river_job_id;
