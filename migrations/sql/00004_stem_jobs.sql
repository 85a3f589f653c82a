-- +goose Up
-- Asking again for the same file and config while a separation is queued or
-- running returns that job (jsonb text is canonical, so equal configs hash
-- equally). dispatch_started_at marks a RunPod submission in flight, so a
-- crash can never lead to a second submission. Stem objects have keys derived
-- from the job, and s3_key is unique, so a job can never create a stem twice.
ALTER TABLE stem_separation_jobs ADD COLUMN dispatch_started_at TIMESTAMPTZ;
CREATE UNIQUE INDEX stem_separation_jobs_live_idx ON stem_separation_jobs (file_metadata_id, md5(config::text))
  WHERE status IN ('queued', 'processing');

-- +goose Down
DROP INDEX stem_separation_jobs_live_idx;
ALTER TABLE stem_separation_jobs DROP COLUMN dispatch_started_at;
