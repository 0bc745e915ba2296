-- +goose Up
-- What a key may do: admin keys everything, ingest keys only post
-- transactions (POST /v1/transactions). Every key made before scopes
-- existed (`tingting workspace create`, dev's demo key) is an admin key.
CREATE TYPE api_key_scope AS ENUM ('admin', 'ingest');
ALTER TABLE api_keys ADD COLUMN scope api_key_scope NOT NULL DEFAULT 'admin';
ALTER TABLE api_keys ALTER COLUMN scope DROP DEFAULT;

-- When the key was last used, to about a minute: authentication touches it
-- only when it is older than that, so a busy key costs one write a minute.
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;

-- A workspace's keys, listed and counted (its unrevoked admin keys) by
-- workspace.
CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id, created_at);

-- +goose Down
DROP INDEX api_keys_workspace_idx;
ALTER TABLE api_keys DROP COLUMN last_used_at;
ALTER TABLE api_keys DROP COLUMN scope;
DROP TYPE api_key_scope;
