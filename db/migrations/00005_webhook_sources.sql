-- +goose Up
-- Where a workspace's transactions come from; the secret (Casso's key or
-- secure-token) is sealed with TINGTING_ENCRYPTION_KEY.
CREATE TABLE webhook_sources (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    provider     text NOT NULL CHECK (provider IN ('casso_v1', 'casso_v2')),
    secret       bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE webhook_sources;
