-- +goose Up
-- One row per River job attempt running on a live worker process, beaten
-- every few seconds by that process (one batched UPDATE for all its
-- attempts). An attempt whose beat went stale belongs to a dead worker: the
-- reaper hands its River job back to the queue within minutes, whatever the
-- kind (see package jobs, "Crash recovery"). No foreign key to river_job:
-- River deletes finished jobs on its own schedule.
CREATE TABLE job_attempts (
  river_job_id BIGINT PRIMARY KEY,
  attempt      INTEGER NOT NULL,
  worker       TEXT NOT NULL,
  beat_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX job_attempts_worker ON job_attempts (worker);

-- +goose Down
DROP TABLE job_attempts;
