-- +goose Up
-- A webhook source can be deleted (its URL answers 404 from then on; the row
-- stays for what was recorded through it) and its secret rotated: the
-- secret it replaced, sealed like it, is still accepted until
-- previous_secret_expires_at, because Casso's queued deliveries carry the
-- old signature. Only one previous secret is kept.
ALTER TABLE webhook_sources
    ADD COLUMN deleted_at                 timestamptz,
    ADD COLUMN previous_secret            bytea,
    ADD COLUMN previous_secret_expires_at timestamptz,
    ADD CONSTRAINT webhook_sources_previous_secret_check
        CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL));

CREATE INDEX webhook_sources_workspace_idx ON webhook_sources (workspace_id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX webhook_sources_workspace_idx;
ALTER TABLE webhook_sources
    DROP CONSTRAINT webhook_sources_previous_secret_check,
    DROP COLUMN previous_secret_expires_at,
    DROP COLUMN previous_secret,
    DROP COLUMN deleted_at;
