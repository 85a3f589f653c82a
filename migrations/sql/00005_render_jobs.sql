-- +goose Up
-- Render jobs: the request is kept on the row (the River job carries ids
-- only), dispatch_started_at marks a Lambda start in flight so a crash never
-- starts a second render.
ALTER TABLE renders ADD COLUMN dispatch_started_at TIMESTAMPTZ;
ALTER TABLE renders ADD COLUMN request JSONB NOT NULL DEFAULT '{}'::jsonb;

-- +goose Down
ALTER TABLE renders DROP COLUMN request;
ALTER TABLE renders DROP COLUMN dispatch_started_at;
