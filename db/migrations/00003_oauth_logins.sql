-- +goose Up
-- A "log in with Zalo" in progress: the state in the authorize URL and the
-- PKCE verifier (sealed) that only the code exchange may read, once.
CREATE TABLE oauth_logins (
    state         text PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    wizard_id     text NOT NULL,
    code_verifier bytea NOT NULL,
    return_to     text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    used_at       timestamptz
);

-- The wizard that saved an integration, so saving twice (a retried
-- activity, a double click) creates it once.
ALTER TABLE integrations ADD COLUMN wizard_id text UNIQUE;

-- +goose Down
ALTER TABLE integrations DROP COLUMN wizard_id;
DROP TABLE oauth_logins;
