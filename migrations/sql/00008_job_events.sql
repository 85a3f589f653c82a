-- +goose Up
-- Every change a person can see on a job row (status, progress, error,
-- result) is stamped and announced, whoever writes it: a trigger on each job
-- table takes the next number of one global change sequence, records the
-- writing transaction and the oldest transaction still running, and sends
-- NOTIFY job_events '<user_id> <job_id> <event_seq> <event_xmin>' (ids only:
-- payloads stay far below NOTIFY's 8000 bytes; listeners read the row).
--
-- Sequence numbers are taken before commit, so transactions can commit out
-- of number order. event_xid and event_xmin make resuming exact anyway: a
-- change committed after the change numbered S (whose stamp saw xmin X) has
-- a number above S or a transaction id at or above X, so "event_seq > S OR
-- event_xid >= X" finds every change a client that saw S may have missed
-- (package events explains the argument).
CREATE SEQUENCE job_event_seq;

-- +goose StatementBegin
CREATE FUNCTION job_event_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  quiet CONSTANT text[] := ARRAY['event_seq', 'event_xid', 'event_xmin', 'updated_at', 'river_job_id', 'dispatch_started_at'];
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - quiet) = (to_jsonb(OLD) - quiet) THEN
    NEW.event_seq := OLD.event_seq;
    NEW.event_xid := OLD.event_xid;
    NEW.event_xmin := OLD.event_xmin;
    RETURN NEW;
  END IF;
  NEW.event_seq := nextval('job_event_seq');
  NEW.event_xid := pg_current_xact_id()::text::bigint;
  -- Taken after nextval: any transaction holding a smaller number either
  -- committed already or is still running, so its id is >= this xmin.
  NEW.event_xmin := pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
  PERFORM pg_notify('job_events', NEW.user_id::text || ' ' || NEW.id::text || ' ' || NEW.event_seq::text || ' ' || NEW.event_xmin::text);
  RETURN NEW;
END $$;
-- +goose StatementEnd

ALTER TABLE audio_analysis_jobs ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN event_xid BIGINT NOT NULL DEFAULT 0, ADD COLUMN event_xmin BIGINT NOT NULL DEFAULT 0;
CREATE INDEX audio_analysis_jobs_user_event_idx ON audio_analysis_jobs (user_id, event_seq);
CREATE TRIGGER audio_analysis_jobs_event BEFORE INSERT OR UPDATE ON audio_analysis_jobs FOR EACH ROW EXECUTE FUNCTION job_event_stamp();
ALTER TABLE stem_separation_jobs ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN event_xid BIGINT NOT NULL DEFAULT 0, ADD COLUMN event_xmin BIGINT NOT NULL DEFAULT 0;
CREATE INDEX stem_separation_jobs_user_event_idx ON stem_separation_jobs (user_id, event_seq);
CREATE TRIGGER stem_separation_jobs_event BEFORE INSERT OR UPDATE ON stem_separation_jobs FOR EACH ROW EXECUTE FUNCTION job_event_stamp();
ALTER TABLE renders ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN event_xid BIGINT NOT NULL DEFAULT 0, ADD COLUMN event_xmin BIGINT NOT NULL DEFAULT 0;
CREATE INDEX renders_user_event_idx ON renders (user_id, event_seq);
CREATE TRIGGER renders_event BEFORE INSERT OR UPDATE ON renders FOR EACH ROW EXECUTE FUNCTION job_event_stamp();
ALTER TABLE midi_files ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN event_xid BIGINT NOT NULL DEFAULT 0, ADD COLUMN event_xmin BIGINT NOT NULL DEFAULT 0;
CREATE INDEX midi_files_user_event_idx ON midi_files (user_id, event_seq);
CREATE TRIGGER midi_files_event BEFORE INSERT OR UPDATE ON midi_files FOR EACH ROW EXECUTE FUNCTION job_event_stamp();

-- The view of every kind of job carries where each row stands in the change stream.
CREATE OR REPLACE VIEW user_jobs AS
  SELECT id, user_id, 'audio_analysis' AS kind, status, progress, error, result, file_metadata_id AS file_id, created_at, updated_at, event_seq, event_xid, event_xmin
    FROM audio_analysis_jobs
  UNION ALL
  SELECT id, user_id, 'stem_separation', status, progress, error, results, file_metadata_id, created_at, updated_at, event_seq, event_xid, event_xmin
    FROM stem_separation_jobs
  UNION ALL
  SELECT id, user_id, 'render', status, progress, error,
         jsonb_strip_nulls(jsonb_build_object('output_file_id', output_file_id, 'costs', costs)), output_file_id, created_at, updated_at, event_seq, event_xid, event_xmin
    FROM renders
  UNION ALL
  SELECT id, user_id, 'midi_parse', status, progress, error,
         CASE WHEN status = 'completed' THEN jsonb_build_object('track_count', track_count, 'note_count', note_count,
           'duration_seconds', duration_seconds, 'tempo_bpm', tempo_bpm) END,
         file_metadata_id, created_at, updated_at, event_seq, event_xid, event_xmin
    FROM midi_files;

-- +goose Down
DROP VIEW user_jobs;
CREATE VIEW user_jobs AS
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
DROP TRIGGER audio_analysis_jobs_event ON audio_analysis_jobs;
ALTER TABLE audio_analysis_jobs DROP COLUMN event_seq, DROP COLUMN event_xid, DROP COLUMN event_xmin;
DROP TRIGGER stem_separation_jobs_event ON stem_separation_jobs;
ALTER TABLE stem_separation_jobs DROP COLUMN event_seq, DROP COLUMN event_xid, DROP COLUMN event_xmin;
DROP TRIGGER renders_event ON renders;
ALTER TABLE renders DROP COLUMN event_seq, DROP COLUMN event_xid, DROP COLUMN event_xmin;
DROP TRIGGER midi_files_event ON midi_files;
ALTER TABLE midi_files DROP COLUMN event_seq, DROP COLUMN event_xid, DROP COLUMN event_xmin;
DROP FUNCTION job_event_stamp();
DROP SEQUENCE job_event_seq;
