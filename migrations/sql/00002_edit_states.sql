-- +goose Up
-- Editor auto-save: numbered versions of a user's editor state per project,
-- the newest N kept, one marked current.
CREATE TABLE edit_states (
  id          UUID PRIMARY KEY,
  project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id     UUID NOT NULL,
  version     INTEGER NOT NULL CHECK (version > 0),
  data        JSONB NOT NULL,
  is_current  BOOLEAN NOT NULL DEFAULT false,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (project_id, user_id, version)
);
CREATE UNIQUE INDEX edit_states_one_current_idx ON edit_states (project_id, user_id) WHERE is_current;

CREATE INDEX projects_user_name_idx ON projects (user_id, lower(name));
CREATE INDEX projects_user_updated_idx ON projects (user_id, updated_at DESC);

-- +goose Down
DROP INDEX projects_user_updated_idx;
DROP INDEX projects_user_name_idx;
DROP TABLE edit_states;
