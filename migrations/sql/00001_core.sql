-- +goose Up
-- Core tables of the Phonoglyph job system. Sizes are BIGINT (the original's
-- INTEGER overflowed at 2 GiB), every user-facing job uses one status
-- vocabulary, and every lookup the code makes has an index.

-- +goose StatementBegin
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TABLE projects (
  id                   TEXT PRIMARY KEY,
  user_id              UUID NOT NULL,
  name                 TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  description          TEXT CHECK (char_length(description) <= 500),
  genre                TEXT,
  privacy_setting      TEXT NOT NULL DEFAULT 'private' CHECK (privacy_setting IN ('private', 'unlisted', 'public')),
  render_configuration JSONB NOT NULL DEFAULT '{}'::jsonb,
  thumbnail_url        TEXT,
  primary_midi_file_id UUID,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX projects_user_created_idx ON projects (user_id, created_at DESC);
CREATE TRIGGER projects_updated_at BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE file_metadata (
  id               UUID PRIMARY KEY,
  user_id          UUID NOT NULL,
  project_id       TEXT REFERENCES projects (id) ON DELETE SET NULL,
  parent_file_id   UUID REFERENCES file_metadata (id) ON DELETE CASCADE,
  file_name        TEXT NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 255),
  file_type        TEXT NOT NULL CHECK (file_type IN ('midi', 'audio', 'video', 'image')),
  mime_type        TEXT NOT NULL,
  file_size        BIGINT NOT NULL CHECK (file_size > 0),
  s3_key           TEXT NOT NULL UNIQUE,
  s3_bucket        TEXT NOT NULL DEFAULT '',
  upload_status    TEXT NOT NULL DEFAULT 'uploading' CHECK (upload_status IN ('uploading', 'completed', 'failed')),
  upload_error     TEXT,
  is_master        BOOLEAN NOT NULL DEFAULT false,
  stem_type        TEXT,
  content_sha256   TEXT,
  duration_seconds DOUBLE PRECISION,
  thumbnail_key    TEXT,
  video_metadata   JSONB,
  image_metadata   JSONB,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX file_metadata_user_created_idx ON file_metadata (user_id, created_at DESC, id DESC);
CREATE INDEX file_metadata_project_idx ON file_metadata (project_id) WHERE project_id IS NOT NULL;
CREATE INDEX file_metadata_parent_idx ON file_metadata (parent_file_id) WHERE parent_file_id IS NOT NULL;
CREATE INDEX file_metadata_uploading_idx ON file_metadata (created_at) WHERE upload_status = 'uploading';
CREATE TRIGGER file_metadata_updated_at BEFORE UPDATE ON file_metadata FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE projects ADD CONSTRAINT projects_primary_midi_fk
  FOREIGN KEY (primary_midi_file_id) REFERENCES file_metadata (id) ON DELETE SET NULL;

CREATE TABLE audio_analysis_jobs (
  id               UUID PRIMARY KEY,
  user_id          UUID NOT NULL,
  file_metadata_id UUID NOT NULL REFERENCES file_metadata (id) ON DELETE CASCADE,
  stem_type        TEXT NOT NULL,
  analysis_version TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  progress         INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  error            TEXT,
  result           JSONB,
  river_job_id     BIGINT,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audio_analysis_jobs_user_created_idx ON audio_analysis_jobs (user_id, created_at DESC);
CREATE INDEX audio_analysis_jobs_file_idx ON audio_analysis_jobs (file_metadata_id, stem_type, created_at DESC);
-- At most one live analysis per file, stem and version: asking again returns it.
CREATE UNIQUE INDEX audio_analysis_jobs_live_idx ON audio_analysis_jobs (file_metadata_id, stem_type, analysis_version)
  WHERE status IN ('queued', 'processing');
CREATE TRIGGER audio_analysis_jobs_updated_at BEFORE UPDATE ON audio_analysis_jobs FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE audio_analysis_cache (
  id                 UUID PRIMARY KEY,
  user_id            UUID NOT NULL,
  file_metadata_id   UUID NOT NULL REFERENCES file_metadata (id) ON DELETE CASCADE,
  stem_type          TEXT NOT NULL,
  analysis_version   TEXT NOT NULL,
  sample_rate        INTEGER NOT NULL,
  duration           DOUBLE PRECISION NOT NULL,
  buffer_size        INTEGER NOT NULL,
  features_extracted TEXT[] NOT NULL DEFAULT '{}',
  analysis_data      JSONB,
  waveform_data      JSONB,
  data_key           TEXT,
  content_sha256     TEXT,
  analysis_duration  INTEGER NOT NULL DEFAULT 0,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (file_metadata_id, stem_type, analysis_version)
);
CREATE INDEX audio_analysis_cache_user_idx ON audio_analysis_cache (user_id);
CREATE INDEX audio_analysis_cache_content_idx ON audio_analysis_cache (content_sha256, stem_type, analysis_version)
  WHERE content_sha256 IS NOT NULL;
CREATE TRIGGER audio_analysis_cache_updated_at BEFORE UPDATE ON audio_analysis_cache FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE stem_separation_jobs (
  id                       UUID PRIMARY KEY,
  user_id                  UUID NOT NULL,
  file_metadata_id         UUID NOT NULL REFERENCES file_metadata (id) ON DELETE CASCADE,
  file_key                 TEXT NOT NULL,
  status                   TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  config                   JSONB NOT NULL DEFAULT '{}'::jsonb,
  progress                 INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  estimated_time_remaining INTEGER,
  results                  JSONB,
  error                    TEXT,
  external_id              TEXT,
  river_job_id             BIGINT,
  created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stem_separation_jobs_user_created_idx ON stem_separation_jobs (user_id, created_at DESC, id DESC);
CREATE INDEX stem_separation_jobs_file_idx ON stem_separation_jobs (file_metadata_id);
CREATE TRIGGER stem_separation_jobs_updated_at BEFORE UPDATE ON stem_separation_jobs FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE renders (
  id             UUID PRIMARY KEY,
  user_id        UUID NOT NULL,
  project_id     TEXT REFERENCES projects (id) ON DELETE SET NULL,
  project_name   TEXT,
  render_id      TEXT,
  bucket_name    TEXT,
  function_name  TEXT,
  status         TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  progress       INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  output_file_id UUID REFERENCES file_metadata (id) ON DELETE SET NULL,
  output_url     TEXT,
  error          TEXT,
  credits_spent  INTEGER NOT NULL DEFAULT 0,
  costs          JSONB,
  metadata       JSONB NOT NULL DEFAULT '{}'::jsonb,
  expires_at     TIMESTAMPTZ,
  river_job_id   BIGINT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX renders_user_created_idx ON renders (user_id, created_at DESC, id DESC);
CREATE INDEX renders_expires_idx ON renders (expires_at) WHERE expires_at IS NOT NULL;
CREATE TRIGGER renders_updated_at BEFORE UPDATE ON renders FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE midi_files (
  id                UUID PRIMARY KEY,
  user_id           UUID NOT NULL,
  file_metadata_id  UUID NOT NULL UNIQUE REFERENCES file_metadata (id) ON DELETE CASCADE,
  file_key          TEXT NOT NULL,
  original_filename TEXT NOT NULL,
  file_size         BIGINT NOT NULL,
  duration_seconds  DOUBLE PRECISION,
  track_count       INTEGER,
  note_count        INTEGER,
  time_signature    TEXT,
  key_signature     TEXT,
  tempo_bpm         DOUBLE PRECISION,
  parsing_status    TEXT NOT NULL DEFAULT 'queued' CHECK (parsing_status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  parsed_data       JSONB,
  error_message     TEXT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (user_id, file_key)
);
CREATE INDEX midi_files_user_created_idx ON midi_files (user_id, created_at DESC);
CREATE TRIGGER midi_files_updated_at BEFORE UPDATE ON midi_files FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE visualization_settings (
  id                UUID PRIMARY KEY,
  user_id           UUID NOT NULL,
  midi_file_id      UUID NOT NULL REFERENCES midi_files (id) ON DELETE CASCADE,
  color_scheme      TEXT NOT NULL DEFAULT 'mixed' CHECK (color_scheme IN ('sage', 'slate', 'dusty-rose', 'mixed')),
  pixels_per_second INTEGER NOT NULL DEFAULT 50 CHECK (pixels_per_second BETWEEN 10 AND 200),
  show_track_labels BOOLEAN NOT NULL DEFAULT true,
  show_velocity     BOOLEAN NOT NULL DEFAULT true,
  min_key           INTEGER NOT NULL DEFAULT 21 CHECK (min_key BETWEEN 0 AND 127),
  max_key           INTEGER NOT NULL DEFAULT 108 CHECK (max_key BETWEEN 0 AND 127),
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (min_key <= max_key),
  UNIQUE (user_id, midi_file_id)
);
CREATE TRIGGER visualization_settings_updated_at BEFORE UPDATE ON visualization_settings FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One read model over every user-facing job table for GET /api/v1/jobs/{id}.
CREATE VIEW user_jobs AS
  SELECT id, user_id, 'audio_analysis' AS kind, status, progress, error, result, file_metadata_id AS file_id, created_at, updated_at
    FROM audio_analysis_jobs
  UNION ALL
  SELECT id, user_id, 'stem_separation', status, progress, error, results, file_metadata_id, created_at, updated_at
    FROM stem_separation_jobs
  UNION ALL
  SELECT id, user_id, 'render', status, progress, error,
         jsonb_strip_nulls(jsonb_build_object('output_file_id', output_file_id, 'costs', costs)), output_file_id, created_at, updated_at
    FROM renders;

-- +goose Down
DROP VIEW user_jobs;
DROP TABLE visualization_settings, midi_files, renders, stem_separation_jobs, audio_analysis_cache,
  audio_analysis_jobs;
ALTER TABLE projects DROP CONSTRAINT projects_primary_midi_fk;
DROP TABLE file_metadata, projects;
DROP FUNCTION set_updated_at();
